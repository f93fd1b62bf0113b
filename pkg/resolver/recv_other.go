//go:build !linux

package resolver

import "net"

// maxDatagram is the largest UDP payload.
const maxDatagram = 65535

// readBatchSize: one datagram per read where there is no recvmmsg.
const readBatchSize = 1

// recvBufs is a reader's buffer (see recv_linux.go). Without recvmmsg
// there is one, as large as any UDP payload, so no reply is cut short.
type recvBufs struct {
	slot  int
	bufs  [readBatchSize][]byte
	n     [readBatchSize]int
	trunc [readBatchSize]bool
}

func newRecvBufs(slot int) *recvBufs {
	b := &recvBufs{slot: slot}
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
