#pragma once
// Helpers for the profile tests: private temp directories, environment overrides, raw sqlite access.
#include "support/EnvOverride.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sqlite3.h>
#include <stdexcept>
#include <string>

namespace duet::profile::test {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "duet-profile-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

using duet::test::EnvOverride;

// A plain sqlite connection, bypassing ProfileStore, to inspect or forge a database file.
class RawDb {
public:
    explicit RawDb(const std::filesystem::path& file)
    {
        if (sqlite3_open(file.c_str(), &m_db) != SQLITE_OK) throw std::runtime_error("RawDb: cannot open");
        sqlite3_busy_timeout(m_db, 2000);
    }
    ~RawDb() { sqlite3_close(m_db); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    void exec(const std::string& sql)
    {
        char* error = nullptr;
        if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error("RawDb: " + message);
        }
    }
    // First column of the first row as text; "" when there is no row.
    std::string text(const std::string& sql)
    {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("RawDb: ") + sqlite3_errmsg(m_db));
        std::string result;
        if (sqlite3_step(statement) == SQLITE_ROW) {
            const unsigned char* value = sqlite3_column_text(statement, 0);
            if (value != nullptr) result = reinterpret_cast<const char*>(value);
        }
        sqlite3_finalize(statement);
        return result;
    }

private:
    sqlite3* m_db = nullptr;
};

} // namespace duet::profile::test
