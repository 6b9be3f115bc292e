#include "duet/net/RawDatagramSender.hpp"

#include "duet/net/SocketAddress.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <netinet/udp.h>

namespace duet::net {

void RawDatagramSender::commit(const ENetAddress& to, std::size_t size, bool alone)
{
    m_alone[m_count] = alone;
    sockaddr_in& address = m_to[m_count];
    address = ipv4Address(to.host, to.port);
    m_iov[m_count] = {m_buffers[m_count].data(), std::min(size, kMaxDatagram)};
    mmsghdr& message = m_headers[m_count];
    message = {};
    message.msg_hdr.msg_name = &address;
    message.msg_hdr.msg_namelen = sizeof address;
    message.msg_hdr.msg_iov = &m_iov[m_count];
    message.msg_hdr.msg_iovlen = 1;
    if (++m_count == kBatch) flush();
}

void RawDatagramSender::flush()
{
    if (m_count == 0) return;
    if (m_segmentation)
        sendSegmented();
    else
        sendEach(0);
    m_count = 0;
}

void RawDatagramSender::sendSegmented()
{
    // Runs of datagrams to one address, all of one size but the last (which may be shorter), go as one
    // message that the kernel cuts into datagrams (UDP_SEGMENT): one pass through the stack per run.
    std::size_t groups = 0;
    for (std::size_t first = 0; first < m_count; ++groups) {
        const std::size_t segment = m_iov[first].iov_len;
        const std::size_t maxSegments = std::min(kMaxSegments, kMaxSegmentedBytes / segment);
        std::size_t end = first + 1;
        while (!m_alone[first] && end < m_count && !m_alone[end] && end - first < maxSegments &&
               sameAddress(m_to[end], m_to[first]) && m_iov[end].iov_len <= segment) {
            const bool shorter = m_iov[end].iov_len < segment;
            ++end;
            if (shorter) break; // only the last may be shorter
        }
        Group& group = m_groups[groups];
        group.first = first;
        group.count = end - first;
        mmsghdr& message = m_groupHeaders[groups];
        message = {};
        message.msg_hdr.msg_name = &m_to[first];
        message.msg_hdr.msg_namelen = sizeof(sockaddr_in);
        message.msg_hdr.msg_iov = &m_iov[first];
        message.msg_hdr.msg_iovlen = group.count;
        if (group.count > 1) {
            group.control = {};
            message.msg_hdr.msg_control = group.control.data();
            message.msg_hdr.msg_controllen = group.control.size();
            cmsghdr* header = CMSG_FIRSTHDR(&message.msg_hdr);
            header->cmsg_level = SOL_UDP;
            header->cmsg_type = UDP_SEGMENT;
            header->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
            const auto size = static_cast<std::uint16_t>(segment);
            std::memcpy(CMSG_DATA(header), &size, sizeof size);
        }
        first = end;
    }
    std::size_t done = 0;
    while (done < groups) {
        ++m_calls;
        const int sent = ::sendmmsg(m_socket, m_groupHeaders.data() + done,
                                    static_cast<unsigned>(groups - done), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent > 0) {
            for (std::size_t g = done; g < done + static_cast<std::size_t>(sent); ++g)
                m_sent += m_groups[g].count;
            m_segmentedRuns += static_cast<std::uint64_t>(sent);
            done += static_cast<std::size_t>(sent);
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            for (std::size_t g = done; g < groups; ++g)
                m_dropped += m_groups[g].count;
            return;
        }
        // Segments larger than the interface now takes (a route moved under a size the path MTU search
        // proved) fail with EINVAL or EMSGSIZE too: that run is lost, segmentation stays.
        const std::size_t segment = m_iov[m_groups[done].first].iov_len;
        if (sent < 0 && (errno == EINVAL || errno == EMSGSIZE) && segment > kEthernetDatagram) {
            m_dropped += m_groups[done].count;
            ++done;
            continue;
        }
        // A kernel or device without UDP segmentation (EIO: no checksum offload; EINVAL, ENOPROTOOPT:
        // too old) refuses the first segmented run: send the rest one by one, and from now on always.
        if (sent < 0 && m_groups[done].count > 1 &&
            (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
            std::cerr << "duet: the kernel refused UDP segmentation (" << std::strerror(errno)
                      << "); bulk datagrams go one by one\n";
            m_segmentation = false;
            sendEach(m_groups[done].first);
            return;
        }
        m_dropped += m_groups[done].count;
        ++done;
    }
}

void RawDatagramSender::sendEach(std::size_t from)
{
    std::size_t done = from;
    // sendmmsg stops at the first datagram that fails; that one is dropped and the rest still go.
    while (done < m_count) {
        ++m_calls;
        const int sent = ::sendmmsg(m_socket, m_headers.data() + done, static_cast<unsigned>(m_count - done),
                                    MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent > 0) {
            done += static_cast<std::size_t>(sent);
            m_sent += static_cast<std::uint64_t>(sent);
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // The socket buffer is full: so is the rest of this batch's chance.
            m_dropped += m_count - done;
            break;
        }
        ++m_dropped;
        ++done;
    }
}

bool RawDatagramSender::sameAddress(const sockaddr_in& a, const sockaddr_in& b)
{
    return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

} // namespace duet::net
