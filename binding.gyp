{
  "variables": {
    "grammar_src": "<!(node -p \"require('path').relative(process.cwd(), require('path').dirname(require.resolve('tree-sitter-nix/package.json'))) + '/src'\")"
  },
  "targets": [
    {
      "target_name": "tree_sitter_nix_napi",
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(grammar_src)"
      ],
      "sources": [
        "native/binding.cc",
        "<(grammar_src)/parser.c",
        "<(grammar_src)/scanner.c"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_c": ["-std=c11", "-O2"],
      "cflags_cc": ["-O2"]
    }
  ]
}
