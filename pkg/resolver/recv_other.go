//go:build !linux

package resolver

import "net"

// readBatchSize: one datagram per read where there is no recvmmsg.
const readBatchSize = 1

// recvBufs is a reader's buffer (see recv_linux.go).
type recvBufs struct {
	bufs [readBatchSize][]byte
	n    [readBatchSize]int
}

func newRecvBufs() *recvBufs {
	b := &recvBufs{}
	b.bufs[0] = make([]byte, maxDatagram)
	return b
}

func (b *recvBufs) read(conn *net.UDPConn) (int, error) {
	n, err := conn.Read(b.bufs[0])
	if err != nil {
		return 0, err
	}
	b.n[0] = n
	return 1, nil
}

func (b *recvBufs) release() {}
