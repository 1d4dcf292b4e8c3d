/** The census as Markdown and as a self-contained HTML page (inline CSS, JS and SVG; no network). */
import type { Census, CensusService } from './summary.js';

const mdCell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const fx = (n: number) => n.toFixed(1);

function rangeText(s: CensusService): string {
  return s.range[0] !== s.range[1] ? `${fx(s.range[0])}–${fx(s.range[1])}` : '';
}

export function renderMarkdown(c: Census): string {
  const out: string[] = [];
  const sum = c.summary;
  out.push(`# nixos-harden census of ${c.root}`, '');
  out.push(
    `${c.modules} modules below \`${c.modulesDir}\`, ${sum.services} services; mean exposure ${fx(sum.meanExposure)}; ` +
      `${sum.withVmTest} with a VM test${c.allTests ? '' : ' (no nixos/tests/all-tests.nix found)'}; ${c.diagnostics.length} diagnostics.`,
    '',
  );
  out.push('## Ratings', '', '| rating | services |', '|---|---:|');
  for (const [r, n] of Object.entries(sum.byRating).sort(([a], [b]) => a.localeCompare(b))) out.push(`| ${r} | ${n} |`);
  out.push('', '## Exposure histogram', '', '| exposure | services |', '|---|---:|');
  sum.histogram.forEach((n, i) => out.push(`| ${i}–${i + 1} | ${n} |`));
  out.push('', '## Categories', '', '| category | services | mean exposure | worst | with VM test | missing directives |', '|---|---:|---:|---:|---:|---:|');
  for (const k of sum.categories) out.push(`| ${mdCell(k.category)} | ${k.services} | ${fx(k.meanExposure)} | ${fx(k.worstExposure)} | ${k.withVmTest} | ${k.missing} |`);
  out.push('', '## Services', '', '| service | file | case | exposure | rating | range | profile | relaxations | missing | VM test | unknown |', '|---|---|---|---:|---|---|---|---|---:|---|---|');
  for (const s of c.services) {
    const profile = s.profile.class ? `${s.profile.id} (${s.profile.class})` : s.profile.id;
    out.push(
      `| ${mdCell(s.name)} | ${mdCell(s.file)}:${s.line} | ${s.case} | ${fx(s.exposure)} | ${s.rating} | ${rangeText(s)} | ${mdCell(profile)} | ${mdCell(s.profile.relaxations.join(', '))} | ${s.profile.changes} | ${s.vmTests.found ? mdCell(s.vmTests.tests.join(', ')) : 'none'} | ${mdCell(s.unknown.join(', '))} |`,
    );
  }
  return out.join('\n') + '\n';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function histogramSvg(h: number[]): string {
  const w = 40;
  const height = 120;
  const max = Math.max(1, ...h);
  const bars = h
    .map((n, i) => {
      const bh = Math.round((n / max) * height);
      const hue = 120 - i * 12;
      return `<g><title>${i}–${i + 1}: ${n} services</title><rect x="${i * w + 2}" y="${height - bh + 18}" width="${w - 4}" height="${bh}" fill="hsl(${hue},60%,45%)"/><text x="${i * w + w / 2}" y="${height + 32}" text-anchor="middle">${i}</text><text x="${i * w + w / 2}" y="${height - bh + 14}" text-anchor="middle" class="n">${n}</text></g>`;
    })
    .join('');
  return `<svg id="histogram" role="img" aria-label="exposure histogram" viewBox="0 0 ${w * 10} ${height + 38}" width="${w * 10}" height="${height + 38}">${bars}</svg>`;
}

const CSS = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f2f2f2}
#services th{cursor:pointer;user-select:none}#services th.asc::after{content:" ▲"}#services th.desc::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}.r-UNSAFE,.r-EXPOSED,.r-DANGEROUS{color:#a00}.r-MEDIUM{color:#a60}.r-OK{color:#070}
svg text{font-size:11px;fill:#333}.controls{margin:.5em 0}.controls input{width:20em;padding:.2em}#count{margin-left:1em;color:#555}
.flex{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}`;

const JS = `(function(){
var table=document.getElementById('services'),body=table.tBodies[0],rows=[].slice.call(body.rows);
var filter=document.getElementById('filter'),rating=document.getElementById('rating'),count=document.getElementById('count');
function apply(){var q=filter.value.toLowerCase(),r=rating.value,n=0;
rows.forEach(function(tr){var ok=(!q||tr.textContent.toLowerCase().indexOf(q)>=0)&&(!r||tr.getAttribute('data-rating')===r);tr.hidden=!ok;if(ok)n++;});
count.textContent=n+' of '+rows.length+' services';}
filter.addEventListener('input',apply);rating.addEventListener('change',apply);
[].forEach.call(table.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){
var asc=!th.classList.contains('asc');[].forEach.call(table.tHead.rows[0].cells,function(c){c.classList.remove('asc','desc');});
th.classList.add(asc?'asc':'desc');var num=th.getAttribute('data-type')==='num';
rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v')||a.cells[i].textContent,y=b.cells[i].getAttribute('data-v')||b.cells[i].textContent;
var d=num?(parseFloat(x)-parseFloat(y)):x.localeCompare(y);return asc?d:-d;});
rows.forEach(function(tr){body.appendChild(tr);});});});
apply();})();`;

export function renderHtml(c: Census): string {
  const sum = c.summary;
  const ratings = Object.keys(sum.byRating).sort();
  const head = [
    ['service', 'text'],
    ['file', 'text'],
    ['category', 'text'],
    ['case', 'text'],
    ['exposure', 'num'],
    ['rating', 'text'],
    ['range', 'text'],
    ['profile', 'text'],
    ['relaxations', 'text'],
    ['missing', 'num'],
    ['VM test', 'text'],
    ['unknown', 'text'],
  ];
  const rows = c.services
    .map((s) => {
      const profile = s.profile.class ? `${s.profile.id} (${s.profile.class})` : s.profile.id;
      const cells = [
        `<td>${esc(s.name)}</td>`,
        `<td>${esc(s.file)}:${s.line}</td>`,
        `<td>${esc(s.category ?? '')}</td>`,
        `<td>${esc(s.case)}</td>`,
        `<td class="num" data-v="${s.exposure}">${fx(s.exposure)}</td>`,
        `<td class="r-${esc(s.rating)}">${esc(s.rating)}</td>`,
        `<td>${rangeText(s)}</td>`,
        `<td>${esc(profile)}</td>`,
        `<td>${esc(s.profile.relaxations.join(', '))}</td>`,
        `<td class="num" data-v="${s.profile.changes}" title="${esc(s.profile.missing.join(', '))}">${s.profile.changes}</td>`,
        `<td>${s.vmTests.found ? esc(s.vmTests.tests.join(', ')) : 'none'}</td>`,
        `<td>${esc(s.unknown.join(', '))}</td>`,
      ];
      return `<tr data-rating="${esc(s.rating)}">${cells.join('')}</tr>`;
    })
    .join('\n');
  const cats = sum.categories
    .map((k) => `<tr><td>${esc(k.category)}</td><td class="num">${k.services}</td><td class="num">${fx(k.meanExposure)}</td><td class="num">${fx(k.worstExposure)}</td><td class="num">${k.withVmTest}</td><td class="num">${k.missing}</td></tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>nixos-harden census of ${esc(c.root)}</title><style>${CSS}</style></head><body>
<h1>nixos-harden census of ${esc(c.root)}</h1>
<p id="overview">${c.modules} modules below <code>${esc(c.modulesDir)}</code>, ${sum.services} services; mean exposure ${fx(sum.meanExposure)};
${sum.withVmTest} with a VM test${c.allTests ? '' : ' (no nixos/tests/all-tests.nix found)'}; ${c.diagnostics.length} diagnostics.</p>
<div class="flex"><div><h2>Exposure</h2>${histogramSvg(sum.histogram)}</div>
<div><h2>Categories</h2><table id="categories"><thead><tr><th>category</th><th>services</th><th>mean exposure</th><th>worst</th><th>with VM test</th><th>missing directives</th></tr></thead><tbody>
${cats}
</tbody></table></div></div>
<h2>Services</h2>
<div class="controls"><input id="filter" type="search" placeholder="filter: name, file, profile, …" aria-label="filter">
<select id="rating" aria-label="rating"><option value="">all ratings</option>${ratings.map((r) => `<option>${esc(r)}</option>`).join('')}</select><span id="count"></span></div>
<table id="services"><thead><tr>${head.map(([h, t]) => `<th data-type="${t}">${h}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table>
<script>${JS}</script>
</body></html>
`;
}
