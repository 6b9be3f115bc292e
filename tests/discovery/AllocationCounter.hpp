#pragma once
// Counts global operator new calls made on this thread while a scope is open (AllocationCounter.cpp
// replaces the global allocation functions for the whole test binary).
#include <cstddef>

namespace duet::discovery::test {

class AllocationScope {
public:
    AllocationScope();
    ~AllocationScope();
    AllocationScope(const AllocationScope&) = delete;
    AllocationScope& operator=(const AllocationScope&) = delete;
    std::size_t allocations() const;
};

} // namespace duet::discovery::test
