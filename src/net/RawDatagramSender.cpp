#include "duet/net/RawDatagramSender.hpp"

#include <algorithm>
#include <cerrno>

namespace duet::net {

void RawDatagramSender::commit(const ENetAddress& to, std::size_t size)
{
    sockaddr_in& address = m_to[m_count];
    address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = to.host; // both in network order
    address.sin_port = htons(to.port);
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
    std::size_t done = 0;
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
    m_count = 0;
}

} // namespace duet::net
