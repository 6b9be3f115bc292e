#pragma once
// Internal: thin RAII wrappers over the sqlite3 C API, used only inside duet_profile.
// Thread: a Connection and its Statements belong to one thread at a time.
// Errors: every failure throws std::runtime_error carrying sqlite's own message.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace duet::profile::detail {

class Connection {
public:
    // Opens (creating if missing) a read-write database file. The error message leaves the path to the
    // caller.
    explicit Connection(const std::filesystem::path& file);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sqlite3* handle() const { return m_db; }
    // Runs one or more statements that return no rows needed by the caller.
    void exec(const std::string& sql);
    // Runs a statement and returns the first column of its first row as text ("" when no row).
    std::string queryText(const std::string& sql);
    std::int64_t queryInt(const std::string& sql);
    void setBusyTimeout(int milliseconds);
    std::int64_t changes() const;
    std::int64_t lastInsertRowId() const;
    [[noreturn]] void fail(std::string_view context) const;

private:
    sqlite3* m_db = nullptr;
};

// A prepared statement kept for the life of the store. Parameter and column indexes follow sqlite:
// parameters from 1, columns from 0.
class Statement {
public:
    Statement(Connection& connection, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Resets the statement and clears its bindings when a use ends, even through an exception, so a
    // half-read SELECT never keeps a WAL read snapshot open and stale bindings never leak into the next use.
    class [[nodiscard]] Use {
    public:
        explicit Use(Statement& statement) : m_statement(statement) {}
        ~Use();
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;

    private:
        Statement& m_statement;
    };
    Use use() { return Use(*this); }

    void bindText(int index, std::string_view text);
    void bindInt(int index, std::int64_t value);
    void bindBlob(int index, std::span<const std::uint8_t> bytes);
    // True while a row is available; false once the statement is done.
    bool step();
    // Steps a statement that returns no rows.
    void run();

    bool isNull(int column) const;
    std::int64_t columnInt(int column) const;
    std::string columnText(int column) const; // NULL reads as ""
    std::optional<std::string> columnOptionalText(int column) const;
    std::vector<std::uint8_t> columnBlob(int column) const;

private:
    Connection& m_connection;
    sqlite3_stmt* m_statement = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran.
class Transaction {
public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& m_connection;
    bool m_open = true;
};

} // namespace duet::profile::detail
