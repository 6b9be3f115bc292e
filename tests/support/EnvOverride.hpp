#pragma once
// Test support shared by every suite: an environment variable set (or unset) for one scope.
// Thread: the test's; tests run one at a time per process, so nothing reads the environment meanwhile.
#include <cstdlib>
#include <optional>
#include <string>

namespace duet::test {

// Sets (or unsets, with std::nullopt) an environment variable for the scope.
class EnvOverride {
public:
    EnvOverride(const char* name, std::optional<std::string> value) : m_name(name)
    {
        if (const char* old = std::getenv(name)) m_old = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~EnvOverride()
    {
        if (m_old)
            ::setenv(m_name, m_old->c_str(), 1);
        else
            ::unsetenv(m_name);
    }
    EnvOverride(const EnvOverride&) = delete;
    EnvOverride& operator=(const EnvOverride&) = delete;

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

} // namespace duet::test
