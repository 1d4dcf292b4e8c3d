// The Nix parser of nixos-harden: tree-sitter's runtime (the C sources that the npm package
// `tree-sitter` 0.25 vendors) with the tree-sitter-nix grammar (the C sources that the npm package
// `tree-sitter-nix` ships), behind a small N-API surface.
//
// `parse(text, budgetMs)` parses a JS string and returns (every offset and column a JS string
// index, in UTF-16 code units) the whole concrete syntax tree flattened in one call, as an Int32Array of
// NODE_INTS integers per node in preorder:
//   symbol, field id (0 = none), start index, end index, start row, start column, next sibling, flags
// flags: 1 named, 2 missing, 4 has an error in it or below, 8 has children (in preorder the first
// one is the next node). next sibling is the index of the node's next sibling, -1 for none.
// Anonymous tokens without a field name (punctuation, keywords) are left out.
// Reading a tree node by node through a JS binding costs more than everything else done with a
// module; one call and a typed array cost almost nothing.
//
// It also exports the grammar's symbol and field tables, and, for tools that want tree-sitter's
// own Node binding, the language as an External with the type tag that binding checks.
#include <napi.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "tree_sitter/api.h"

extern "C" const TSLanguage *tree_sitter_nix(void);

namespace {

// The tag tree-sitter's Node binding checks on a language External.
const napi_type_tag kLanguageTypeTag = {0x8AF2E5212AD58ABF, 0xD5006CAD83ABBA16};

constexpr int kNodeInts = 8;

// One parser per JS environment (main thread, each worker thread): TSParser is not thread-safe.
struct Instance {
  TSParser *parser = nullptr;
  ~Instance() {
    if (parser) ts_parser_delete(parser);
  }
};

struct Input {
  const char *bytes;
  uint32_t length;
};

const char *ReadInput(void *payload, uint32_t byte_index, TSPoint, uint32_t *bytes_read) {
  auto *in = static_cast<Input *>(payload);
  if (byte_index >= in->length) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = in->length - byte_index;
  return in->bytes + byte_index;
}

struct Budget {
  std::chrono::steady_clock::time_point deadline;
  bool expired = false;
};

bool Progress(TSParseState *state) {
  auto *b = static_cast<Budget *>(state->payload);
  if (std::chrono::steady_clock::now() > b->deadline) b->expired = true;
  return b->expired;  // true cancels the parse
}

Instance *GetInstance(Napi::Env env) {
  auto *inst = env.GetInstanceData<Instance>();
  if (inst) return inst;
  inst = new Instance();
  inst->parser = ts_parser_new();
  ts_parser_set_language(inst->parser, tree_sitter_nix());
  env.SetInstanceData<Instance>(inst);
  return inst;
}

Napi::Value Parse(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "parse(text: string, budgetMs?: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  double budgetMs = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;

  // The text as UTF-8, which tree-sitter lexes fastest. Offsets come back in bytes; JS wants
  // UTF-16 code units. When every character is ASCII (the two lengths agree) they are the same;
  // otherwise `units` maps every byte offset to its code-unit offset. (A lone surrogate becomes
  // U+FFFD, three bytes for one code unit, so the mapping still lands on the right index.)
  napi_value str = info[0];
  size_t units = 0;
  size_t bytes = 0;
  napi_get_value_string_utf16(env, str, nullptr, 0, &units);
  napi_get_value_string_utf8(env, str, nullptr, 0, &bytes);
  std::string text(bytes, '\0');
  napi_get_value_string_utf8(env, str, text.data(), bytes + 1, &bytes);
  std::vector<int32_t> unitAt;
  if (bytes != units) {
    unitAt.resize(bytes + 1);
    int32_t unit = 0;
    for (size_t i = 0; i < bytes;) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      for (size_t k = 0; k < len && i + k < bytes; k++) unitAt[i + k] = unit;
      unit += len == 4 ? 2 : 1;
      i += len;
    }
    unitAt[bytes] = unit;
  }
  auto toUnits = [&](uint32_t byte) -> int32_t {
    return unitAt.empty() ? static_cast<int32_t>(byte) : unitAt[byte < bytes ? byte : bytes];
  };

  Instance *inst = GetInstance(env);
  Input input{text.data(), static_cast<uint32_t>(bytes)};
  TSInput tsInput{&input, ReadInput, TSInputEncodingUTF8, nullptr};
  Budget budget;
  budget.deadline = std::chrono::steady_clock::now() +
                    std::chrono::microseconds(static_cast<int64_t>((budgetMs > 0 ? budgetMs : 1e9) * 1000));
  TSParseOptions options{&budget, Progress};
  TSTree *tree = ts_parser_parse_with_options(inst->parser, nullptr, tsInput, options);

  Napi::Object result = Napi::Object::New(env);
  if (!tree) {
    ts_parser_reset(inst->parser);
    result.Set("nodes", env.Null());
    result.Set("cancelled", Napi::Boolean::New(env, budget.expired));
    return result;
  }

  std::vector<int32_t> out;
  out.reserve(bytes / 3 * kNodeInts + kNodeInts);
  // Indexes of the emitted nodes on the path from the root (kSkipped for a token left out), and
  // for each the last child emitted so far (-1 none), to link it to the next one.
  std::vector<int32_t> parents;
  std::vector<int32_t> lastChild;
  constexpr int32_t kSkipped = -2;
  TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
  auto emit = [&](int32_t parent) -> int32_t {
    TSNode n = ts_tree_cursor_current_node(&cursor);
    bool named = ts_node_is_named(n);
    bool missing = ts_node_is_missing(n);
    TSFieldId field = ts_tree_cursor_current_field_id(&cursor);
    // Punctuation and keywords (`=`, `;`, `{`, `in`, ...) carry nothing the syntax tree needs:
    // anonymous leaves without a field name are left out. Operators have a field; missing
    // tokens are kept, they are syntax errors.
    if (!named && !missing && field == 0 && ts_node_child_count(n) == 0) return kSkipped;
    TSPoint p = ts_node_start_point(n);
    int32_t flags = (named ? 1 : 0) | (missing ? 2 : 0) | (ts_node_has_error(n) ? 4 : 0);
    int32_t index = static_cast<int32_t>(out.size() / kNodeInts);
    uint32_t startByte = ts_node_start_byte(n);
    int32_t start = toUnits(startByte);
    out.push_back(ts_node_symbol(n));
    out.push_back(field);
    out.push_back(start);
    out.push_back(toUnits(ts_node_end_byte(n)));
    out.push_back(static_cast<int32_t>(p.row));
    out.push_back(start - toUnits(startByte - p.column));
    out.push_back(-1);  // next sibling, linked when it is emitted
    out.push_back(flags);
    if (parent >= 0) {
      int32_t &last = lastChild.back();
      if (last >= 0) out[static_cast<size_t>(last) * kNodeInts + 6] = index;
      else out[static_cast<size_t>(parent) * kNodeInts + 7] |= 8;
      last = index;
    }
    return index;
  };
  // Enters a node: emits it under the current one and makes it the current one.
  auto enter = [&]() {
    parents.push_back(emit(parents.empty() ? -1 : parents.back()));
    lastChild.push_back(-1);
  };
  enter();
  for (;;) {
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      enter();
      continue;
    }
    bool done = false;
    for (;;) {
      parents.pop_back();
      lastChild.pop_back();
      if (parents.empty()) {
        done = true;
        break;
      }
      if (ts_tree_cursor_goto_next_sibling(&cursor)) {
        enter();
        break;
      }
      ts_tree_cursor_goto_parent(&cursor);
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&cursor);
  ts_tree_delete(tree);

  auto buffer = Napi::ArrayBuffer::New(env, out.size() * sizeof(int32_t));
  std::memcpy(buffer.Data(), out.data(), out.size() * sizeof(int32_t));
  result.Set("nodes", Napi::Int32Array::New(env, out.size(), buffer, 0));
  result.Set("cancelled", Napi::Boolean::New(env, false));
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const TSLanguage *lang = tree_sitter_nix();
  exports["name"] = Napi::String::New(env, "nix");
  auto language = Napi::External<TSLanguage>::New(env, const_cast<TSLanguage *>(lang));
  language.TypeTag(&kLanguageTypeTag);
  exports["language"] = language;

  uint32_t symbols = ts_language_symbol_count(lang);
  auto names = Napi::Array::New(env, symbols);
  auto named = Napi::Array::New(env, symbols);
  for (uint32_t i = 0; i < symbols; i++) {
    const char *name = ts_language_symbol_name(lang, static_cast<TSSymbol>(i));
    names.Set(i, Napi::String::New(env, name ? name : ""));
    named.Set(i, Napi::Boolean::New(env, ts_language_symbol_type(lang, static_cast<TSSymbol>(i)) == TSSymbolTypeRegular));
  }
  uint32_t fieldCount = ts_language_field_count(lang);
  auto fields = Napi::Array::New(env, fieldCount + 1);
  fields.Set(uint32_t(0), env.Null());
  for (uint32_t i = 1; i <= fieldCount; i++) {
    const char *name = ts_language_field_name_for_id(lang, static_cast<TSFieldId>(i));
    fields.Set(i, name ? Napi::Value(Napi::String::New(env, name)) : env.Null());
  }
  exports["symbolNames"] = names;
  exports["symbolNamed"] = named;
  exports["fieldNames"] = fields;
  exports["nodeInts"] = Napi::Number::New(env, kNodeInts);
  // Bumped whenever the meaning of the flat tree's integers changes (2: next sibling instead of
  // parent, flag 8), so that JS built for one format refuses a binary built for another.
  exports["flatFormat"] = Napi::Number::New(env, 2);
  exports["parse"] = Napi::Function::New(env, Parse, "parse");
  return exports;
}

}  // namespace

NODE_API_MODULE(tree_sitter_nix_napi, Init)
