// The doctest main of every suite. CTest runs each case by name (--test-case=NAME); a name that does not
// survive that trip (CTest splits names at ';') would select nothing and pass without running, so a run
// whose --test-case filter selected no case fails instead.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cstdio>
#include <doctest/doctest.h>
#include <string_view>

namespace {

int g_casesStarted = 0;

struct CaseCounter : doctest::IReporter {
    explicit CaseCounter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData&) override { ++g_casesStarted; }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("case-counter", 1, CaseCounter);

bool selectsCasesByName(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg.starts_with("--test-case=") || arg.starts_with("-tc=")) return true;
    }
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit()) return result;
    if (result == 0 && g_casesStarted == 0 && selectsCasesByName(argc, argv)) {
        std::fprintf(stderr, "no test case matches the --test-case filter\n");
        return 1;
    }
    return result;
}
