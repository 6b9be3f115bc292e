#include "AllocationCounter.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local bool t_counting = false;
thread_local std::size_t t_allocations = 0;

void* allocate(std::size_t size)
{
    if (t_counting) ++t_allocations;
    if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
    throw std::bad_alloc();
}
} // namespace

void* operator new(std::size_t size)
{
    return allocate(size);
}
void* operator new[](std::size_t size)
{
    return allocate(size);
}
void operator delete(void* memory) noexcept
{
    std::free(memory);
}
void operator delete[](void* memory) noexcept
{
    std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept
{
    std::free(memory);
}
void operator delete[](void* memory, std::size_t) noexcept
{
    std::free(memory);
}

namespace duet::discovery::test {

AllocationScope::AllocationScope()
{
    t_allocations = 0;
    t_counting = true;
}

AllocationScope::~AllocationScope()
{
    t_counting = false;
}

std::size_t AllocationScope::allocations() const
{
    return t_allocations;
}

} // namespace duet::discovery::test
