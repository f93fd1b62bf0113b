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
// sendmmsg), and a system call per reply was a third of the pool's own
// CPU; eight 64 KiB buffers per socket are touched only as far as the
// replies reach.
const readBatchSize = 8

// recvBufs are a reader's buffers, one per datagram of a batch, each the
// size of the largest UDP payload, so that no reply is ever cut short: a
// larger answer than advertised is still read whole, and then judged
// (the answer-size bound, RFC 6891 §6.2.5 leaves it to the requestor).
type recvBufs struct {
	mem  []byte
	bufs [readBatchSize][]byte
	n    [readBatchSize]int // the length of each datagram read
	hdrs [readBatchSize]unix.Mmsghdr
	iovs [readBatchSize]unix.Iovec

	// The system call, bound once (a closure per read would allocate).
	raw   syscall.RawConn
	fn    func(fd uintptr) bool
	got   int
	errno syscall.Errno
}

func newRecvBufs() *recvBufs {
	b := &recvBufs{mem: make([]byte, readBatchSize*maxDatagram)}
	for i := range b.bufs {
		b.bufs[i] = b.mem[i*maxDatagram : (i+1)*maxDatagram : (i+1)*maxDatagram]
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
		b.iovs[i].SetLen(maxDatagram)
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
// returns how many; b.bufs[i][:b.n[i]] is datagram i.
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
	}
	return b.got, nil
}

// release drops the socket the buffers were bound to, before they go back
// to the pool.
func (b *recvBufs) release() { b.raw = nil }
