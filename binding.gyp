{
  "variables": {
    "grammar_src": "<!(node -p \"require('path').relative(process.cwd(), require('path').dirname(require.resolve('tree-sitter-nix/package.json'))) + '/src'\")",
    "runtime_lib": "<!(node -p \"require('path').relative(process.cwd(), require('path').dirname(require.resolve('tree-sitter/package.json'))) + '/vendor/tree-sitter/lib'\")"
  },
  "targets": [
    {
      "target_name": "tree_sitter_nix_napi",
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(runtime_lib)/include",
        "<(runtime_lib)/src",
        "<(grammar_src)"
      ],
      "sources": [
        "native/binding.cc",
        "<(runtime_lib)/src/lib.c",
        "<(grammar_src)/parser.c",
        "<(grammar_src)/scanner.c"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_POSIX_C_SOURCE=200112L", "_DEFAULT_SOURCE"],
      "cflags": ["-fvisibility=hidden"],
      "cflags_c": ["-std=c11", "-O2"],
      "cflags_cc": ["-std=c++17", "-O2"]
    }
  ]
}
