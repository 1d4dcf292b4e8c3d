// Exposes the tree-sitter-nix grammar (compiled from the C sources that the npm package
// `tree-sitter-nix` ships) to tree-sitter 0.25's N-API binding. The published package only has
// an old NAN binding, which tree-sitter 0.25 rejects; tree-sitter checks that the language is an
// External carrying the type tag below.
#include <napi.h>

typedef struct TSLanguage TSLanguage;
extern "C" const TSLanguage *tree_sitter_nix(void);

namespace {

// The tag tree-sitter's Node binding checks on a language External.
const napi_type_tag kLanguageTypeTag = {0x8AF2E5212AD58ABF, 0xD5006CAD83ABBA16};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports["name"] = Napi::String::New(env, "nix");
  auto language = Napi::External<TSLanguage>::New(env, const_cast<TSLanguage *>(tree_sitter_nix()));
  language.TypeTag(&kLanguageTypeTag);
  exports["language"] = language;
  return exports;
}

}  // namespace

NODE_API_MODULE(tree_sitter_nix_napi, Init)
