#pragma once
// Caps the incoming offers that are being assembled or waiting for a user decision across all peers, so
// a crowd of peers cannot pile prompts up either (each TransferManager already allows only a few per
// peer). Shared by the managers of one engine; single thread, like them.
#include <cstddef>
#include <utility>

namespace duet::transfer {

class PendingOfferLimit {
public:
    // Holds one place until destroyed. Move-only.
    class Ticket {
    public:
        Ticket() = default;
        Ticket(Ticket&& other) noexcept : m_owner(std::exchange(other.m_owner, nullptr)) {}
        Ticket& operator=(Ticket&& other) noexcept
        {
            if (this != &other) {
                release();
                m_owner = std::exchange(other.m_owner, nullptr);
            }
            return *this;
        }
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        ~Ticket() { release(); }
        explicit operator bool() const { return m_owner != nullptr; }
        void release()
        {
            if (m_owner != nullptr) --m_owner->m_inUse;
            m_owner = nullptr;
        }

    private:
        friend class PendingOfferLimit;
        explicit Ticket(PendingOfferLimit* owner) : m_owner(owner) {}
        PendingOfferLimit* m_owner = nullptr;
    };

    explicit PendingOfferLimit(std::size_t capacity) : m_capacity(capacity) {}
    PendingOfferLimit(const PendingOfferLimit&) = delete;
    PendingOfferLimit& operator=(const PendingOfferLimit&) = delete;

    // An empty ticket when every place is taken.
    Ticket tryTake()
    {
        if (m_inUse >= m_capacity) return Ticket{};
        ++m_inUse;
        return Ticket{this};
    }
    std::size_t inUse() const { return m_inUse; }
    std::size_t capacity() const { return m_capacity; }

private:
    std::size_t m_capacity;
    std::size_t m_inUse = 0;
};

} // namespace duet::transfer
