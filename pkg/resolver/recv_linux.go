//go:build linux

package resolver

import (
	"net"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// readBatchSize is how many datagrams one recvmmsg takes at most. Replies
// come in bursts (a domain's checks ask at once, the queries leave in one
// sendmmsg): the benchmarks read about 5 per call.
const readBatchSize = 8

// recvBufs are a reader's buffers, one per datagram of a batch, each of
// slot octets. A datagram longer than its slot is cut short by the kernel
// (MSG_TRUNC); the reader then hands its query a truncated reply, which
// is asked again over TCP, as if the server had set TC (RFC 6891 §7: the
// requestor's payload size bounds what may come over UDP).
type recvBufs struct {
	slot  int
	mem   []byte
	bufs  [readBatchSize][]byte
	n     [readBatchSize]int  // the length of each datagram read
	trunc [readBatchSize]bool // longer than its slot
	hdrs  [readBatchSize]unix.Mmsghdr
	iovs  [readBatchSize]unix.Iovec

	// The system call, bound once (a closure per read would allocate).
	raw   syscall.RawConn
	fn    func(fd uintptr) bool
	got   int
	errno syscall.Errno
}

func newRecvBufs(slot int) *recvBufs {
	b := &recvBufs{slot: slot, mem: make([]byte, readBatchSize*slot)}
	for i := range b.bufs {
		b.bufs[i] = b.mem[i*slot : (i+1)*slot : (i+1)*slot]
	}
	b.fn = b.recvmmsg
	return b
}

// recvmmsg is one non-blocking recvmmsg(2): false when nothing is there
// yet (the runtime's poller then waits for the socket, under its read
// deadline).
func (b *recvBufs) recvmmsg(fd uintptr) bool {
	for i := range b.hdrs {
		b.iovs[i].Base = &b.bufs[i][0]
		b.iovs[i].SetLen(b.slot)
		b.hdrs[i] = unix.Mmsghdr{}
		b.hdrs[i].Hdr.Iov = &b.iovs[i]
		b.hdrs[i].Hdr.SetIovlen(1)
	}
	for {
		r, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.hdrs[0])), readBatchSize, 0, 0, 0)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		b.got, b.errno = int(r), errno
		return true
	}
}

// read reads at least one datagram (blocking until one comes, the read
// deadline passes or the socket closes) and at most readBatchSize, and
// returns how many; b.bufs[i][:b.n[i]] is datagram i, cut short when
// b.trunc[i].
func (b *recvBufs) read(conn *net.UDPConn) (int, error) {
	if b.raw == nil {
		raw, err := conn.SyscallConn()
		if err != nil {
			return 0, err
		}
		b.raw = raw
	}
	b.got, b.errno = 0, 0
	if err := b.raw.Read(b.fn); err != nil {
		return 0, err // a deadline (a timeout net.Error) or a closed socket
	}
	if b.errno != 0 {
		return 0, &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("recvmmsg", b.errno)}
	}
	for i := range b.got {
		b.n[i] = int(b.hdrs[i].Len)
		b.trunc[i] = b.hdrs[i].Hdr.Flags&unix.MSG_TRUNC != 0
	}
	return b.got, nil
}

// release drops the socket the buffers were bound to, before they go back
// to the free list.
func (b *recvBufs) release() { b.raw = nil }
