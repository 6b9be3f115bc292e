#include "duet/profile/Sqlite.hpp"

#include <climits>
#include <cstring>
#include <sqlite3.h>
#include <stdexcept>

namespace duet::profile::detail {

namespace {

std::string describe(sqlite3* db)
{
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    // sqlite's "unable to open database file" hides the cause; the OS error names it (EACCES, ENOSPC...).
    int osError = db ? sqlite3_system_errno(db) : 0;
    if (osError != 0) {
        message += " (";
        message += std::strerror(osError);
        message += ")";
    }
    return message;
}

} // namespace

Connection::Connection(const std::filesystem::path& file)
{
    // One connection per thread (see ProfileStore), so sqlite's per-connection mutex is not needed.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(file.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = describe(m_db);
        sqlite3_close(m_db); // sqlite hands back a handle even on failure
        m_db = nullptr;
        throw std::runtime_error("sqlite: open: " + message); // the caller adds the path
    }
    sqlite3_extended_result_codes(m_db, 1);
}

Connection::~Connection()
{
    // Every Statement is finalized before its Connection (member order in the store), so this succeeds.
    sqlite3_close(m_db);
}

void Connection::exec(const std::string& sql)
{
    char* error = nullptr;
    int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : describe(m_db);
        sqlite3_free(error);
        throw std::runtime_error("sqlite: " + message);
    }
}

std::string Connection::queryText(const std::string& sql)
{
    Statement statement(*this, sql);
    auto use = statement.use();
    return statement.step() ? statement.columnText(0) : std::string();
}

std::int64_t Connection::queryInt(const std::string& sql)
{
    Statement statement(*this, sql);
    auto use = statement.use();
    return statement.step() ? statement.columnInt(0) : 0;
}

void Connection::setBusyTimeout(int milliseconds)
{
    if (sqlite3_busy_timeout(m_db, milliseconds) != SQLITE_OK) fail("busy_timeout");
}

std::int64_t Connection::changes() const
{
    return sqlite3_changes64(m_db);
}

std::int64_t Connection::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

void Connection::fail(std::string_view context) const
{
    throw std::runtime_error("sqlite: " + std::string(context) + ": " + describe(m_db));
}

Statement::Statement(Connection& connection, std::string_view sql) : m_connection(connection)
{
    if (sql.size() > static_cast<std::size_t>(INT_MAX))
        throw std::runtime_error("sqlite: statement too long");
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(connection.handle(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &m_statement, &tail);
    if (rc != SQLITE_OK) connection.fail("prepare \"" + std::string(sql) + "\"");
    // A second statement in the text would be silently ignored by step(); refuse it instead.
    std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
        sqlite3_finalize(m_statement);
        throw std::runtime_error("sqlite: more than one statement in \"" + std::string(sql) + "\"");
    }
}

Statement::~Statement()
{
    sqlite3_finalize(m_statement);
}

Statement::Use::~Use()
{
    sqlite3_reset(m_statement.m_statement);
    sqlite3_clear_bindings(m_statement.m_statement);
}

void Statement::bindText(int index, std::string_view text)
{
    // Explicit length: text may hold NULs and need not be terminated. TRANSIENT copies, so the caller's
    // buffer only has to live for this call.
    int rc = sqlite3_bind_text64(m_statement, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) m_connection.fail("bind text");
}

void Statement::bindInt(int index, std::int64_t value)
{
    if (sqlite3_bind_int64(m_statement, index, value) != SQLITE_OK) m_connection.fail("bind integer");
}

void Statement::bindBlob(int index, std::span<const std::uint8_t> bytes)
{
    // A zero-length blob with a null pointer would bind NULL; a non-null pointer keeps it a blob.
    static const std::uint8_t kEmpty = 0;
    const void* data = bytes.empty() ? &kEmpty : bytes.data();
    if (sqlite3_bind_blob64(m_statement, index, data, bytes.size(), SQLITE_TRANSIENT) != SQLITE_OK)
        m_connection.fail("bind blob");
}

bool Statement::step()
{
    int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    m_connection.fail(sqlite3_sql(m_statement));
}

void Statement::run()
{
    while (step()) {
    }
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

std::int64_t Statement::columnInt(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

std::string Statement::columnText(int column) const
{
    // text() before bytes(): bytes() then reports the size of the UTF-8 form text() produced.
    const unsigned char* text = sqlite3_column_text(m_statement, column);
    int size = sqlite3_column_bytes(m_statement, column);
    if (text == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::optional<std::string> Statement::columnOptionalText(int column) const
{
    if (isNull(column)) return std::nullopt;
    return columnText(column);
}

std::vector<std::uint8_t> Statement::columnBlob(int column) const
{
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_statement, column));
    int size = sqlite3_column_bytes(m_statement, column);
    if (data == nullptr) return {};
    return std::vector<std::uint8_t>(data, data + size);
}

Transaction::Transaction(Connection& connection) : m_connection(connection)
{
    // IMMEDIATE takes the write lock up front, so two processes migrating the same profile serialize
    // here (waiting up to busy_timeout) instead of failing later with SQLITE_BUSY on upgrade.
    m_connection.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (m_open) sqlite3_exec(m_connection.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    m_connection.exec("COMMIT");
    m_open = false;
}

} // namespace duet::profile::detail
