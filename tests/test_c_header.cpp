// The function list of C headers as cbindgen writes them.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_util.hpp"
#include "tl/objfile/c_header.hpp"

using tl::objfile::parse_header_functions;
using Names = std::vector<std::string>;

TEST(HeaderParser, SampleBridgeHeader) {
    std::string header = tl::testing::read_file(std::string(TL_SOURCE_DIR) +
                                                "/tests/data/objfile/core_bridge_sample.h");
    ASSERT_FALSE(header.empty());
    EXPECT_EQ(parse_header_functions(header), (Names{
                                                  "sample_core_runtime_new",
                                                  "sample_core_runtime_free",
                                                  "sample_core_client_connect",
                                                  "sample_core_client_free",
                                                  "sample_core_client_metadata",
                                                  "sample_core_worker_record_heartbeat",
                                                  "sample_core_worker_poll_legacy",
                                                  "sample_core_worker_poll",
                                                  "sample_core_random_int32_range",
                                                  "sample_core_metric_free_callback",
                                                  "sample_core_log_forwarder",
                                                  "sample_core_byte_array_free",
                                              }));
}

TEST(HeaderParser, PrototypesOverSeveralLines) {
    EXPECT_EQ(parse_header_functions("const struct Foo *\n"
                                     "  foo_make(const char *name,\n"
                                     "           size_t len);\n"
                                     "unsigned long long\nfoo_count(void);\n"),
              (Names{"foo_make", "foo_count"}));
}

TEST(HeaderParser, CommentsAndDirectivesAreIgnored) {
    EXPECT_EQ(parse_header_functions("// void in_line_comment(void);\n"
                                     "/* void in_block(void);\n   void still(void); */\n"
                                     "#define MACRO(x) \\\n  void in_macro(void);\n"
                                     "#if 0 /* a comment\n spanning lines */\n#endif\n"
                                     "int real(void); // trailing comment\n"
                                     "const char *s(void); /* \"quoted\" */\n"),
              (Names{"real", "s"}));
}

TEST(HeaderParser, ExternCBlocksAndAttributes) {
    EXPECT_EQ(parse_header_functions("extern \"C\" {\n"
                                     "__attribute__((visibility(\"default\"))) void a(void);\n"
                                     "[[nodiscard]] int b(void);\n"
                                     "__declspec(dllimport) int c(int);\n"
                                     "int d(int) __attribute__((deprecated));\n"
                                     "EXPORT_API void e(void);\n"
                                     "DEPRECATED(\"use e\") void f(void);\n"
                                     "}\n"
                                     "extern \"C\" int g(void);\n"
                                     "extern int h(void);\n"),
              (Names{"a", "b", "c", "d", "e", "f", "g", "h"}));
}

TEST(HeaderParser, TypesAndFunctionPointersAreNotFunctions) {
    EXPECT_EQ(parse_header_functions("typedef void (*callback_t)(void *user_data);\n"
                                     "typedef int handler_fn(int);\n"
                                     "typedef struct Opts {\n"
                                     "  void (*on_done)(void *ctx);\n"
                                     "  callback_t cb;\n"
                                     "  union { int a; struct { float b; }; };\n"
                                     "} Opts;\n"
                                     "enum Kind { A = 1, B };\n"
                                     "struct Fwd;\n"
                                     "extern void (*global_hook)(int);\n"
                                     "extern int counter;\n"
                                     "int table[4];\n"
                                     "struct Opts default_opts = { 0 };\n"
                                     "void after_types(void);\n"),
              (Names{"after_types"}));
}

TEST(HeaderParser, DefinitionsAndStaticsAreSkipped) {
    EXPECT_EQ(parse_header_functions("static inline int helper(int x) { return x + 1; }\n"
                                     "static int internal(void);\n"
                                     "inline int also_defined(void) { if (1) { return 2; } }\n"
                                     "struct Foo make_foo(void) { struct Foo f = {0}; return f; }\n"
                                     "int declared(void);\n"
                                     "namespace detail { int in_namespace(void); }\n"
                                     "static_assert(sizeof(int) == 4, \"int\");\n"),
              (Names{"declared"}));
}

TEST(HeaderParser, FunctionsReturningFunctionPointers) {
    EXPECT_EQ(parse_header_functions("void (*signal_like(int sig, void (*fn)(int)))(int);\n"
                                     "int (*(*pointer_to_pointer))(void);\n"
                                     "MyType (parenthesised)(int);\n"
                                     "int f1(void), f2(int), not_a_function;\n"
                                     "void repeated(void);\nvoid repeated(void);\n"),
              (Names{"signal_like", "parenthesised", "f1", "f2", "repeated"}));
}

TEST(HeaderParser, GarbageGivesNoFunctionsAndNoCrash) {
    EXPECT_TRUE(parse_header_functions("").empty());
    EXPECT_TRUE(parse_header_functions("just some text without semicolons").empty());
    EXPECT_TRUE(parse_header_functions("}}}{{{;;;((()))").empty());
    EXPECT_TRUE(parse_header_functions(std::string(10000, '(') + ";").empty());
    EXPECT_TRUE(parse_header_functions("\"unterminated string\n/* unterminated").empty());
    EXPECT_EQ(parse_header_functions("int a(void);\n#define X \\"), (Names{"a"}));
}
