// Exposes the tree-sitter-nix grammar (compiled from the C sources that the npm package
// `tree-sitter-nix` ships) to tree-sitter 0.25's N-API binding. The published package only has
// an old NAN binding, which tree-sitter 0.25 rejects; tree-sitter checks that the language is an
// External carrying the type tag below.
//
// It also exports the grammar's symbol and field tables, so the JS side can read a syntax tree
// by numeric ids (one cheap call per node) instead of asking for names and flags one by one.
#include <napi.h>

#include "tree_sitter/parser.h"

extern "C" const TSLanguage *tree_sitter_nix(void);

namespace {

// The tag tree-sitter's Node binding checks on a language External.
const napi_type_tag kLanguageTypeTag = {0x8AF2E5212AD58ABF, 0xD5006CAD83ABBA16};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const TSLanguage *lang = tree_sitter_nix();
  exports["name"] = Napi::String::New(env, "nix");
  auto language = Napi::External<TSLanguage>::New(env, const_cast<TSLanguage *>(lang));
  language.TypeTag(&kLanguageTypeTag);
  exports["language"] = language;

  auto names = Napi::Array::New(env, lang->symbol_count);
  auto named = Napi::Array::New(env, lang->symbol_count);
  for (uint32_t i = 0; i < lang->symbol_count; i++) {
    names.Set(i, Napi::String::New(env, lang->symbol_names[i]));
    named.Set(i, Napi::Boolean::New(env, lang->symbol_metadata[i].named));
  }
  auto fields = Napi::Array::New(env, lang->field_count + 1);
  fields.Set(uint32_t(0), env.Null());
  for (uint32_t i = 1; i <= lang->field_count; i++) {
    fields.Set(i, Napi::String::New(env, lang->field_names[i]));
  }
  exports["symbolNames"] = names;
  exports["symbolNamed"] = named;
  exports["fieldNames"] = fields;
  return exports;
}

}  // namespace

NODE_API_MODULE(tree_sitter_nix_napi, Init)
