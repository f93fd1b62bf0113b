package main

// benchdomain floor: the CPU that the workload's questions alone cost a Go
// client on this machine, with no checks, no cache and no rendering. It
// asks each domain the 37 questions `mailcheck domain --no-probe` asks on
// this workload (TestFloorAsksWhatMailcheckAsks holds the list to them),
// all in one round, from one connected UDP socket per worker, written with
// one sendmmsg and read with recvmmsg (-tcp: one TCP connection per
// worker, the questions pipelined in one write): a lower bound on what any
// tool asking them could spend, against which mailcheck's CPU per domain
// is read.

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/mailcheck/mailcheck/pkg/dkim"
	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

type floorOptions struct {
	n, concurrency int
	unpack, tcp    bool
}

// floorQuestions are the questions mailcheck asks about domain d (a name
// with its trailing dot) on the bulk workload, shared names left out (the
// run-wide cache asks them once per run).
func floorQuestions(d string) []dns.Question {
	q := func(name string, t uint16) dns.Question {
		return dns.Question{Name: name, Qtype: t, Qclass: dns.ClassINET}
	}
	qs := []dns.Question{
		q(d, dns.TypeMX), q(d, dns.TypeSOA), q(d, dns.TypeSPF), q(d, dns.TypeTXT),
		q("_dmarc."+d, dns.TypeTXT), q("_mta-sts."+d, dns.TypeTXT), q("_smtp._tls."+d, dns.TypeTXT),
		q("default._bimi."+d, dns.TypeTXT), q("_25._tcp.mx."+d, dns.TypeTLSA),
		q("mx."+d, dns.TypeA), q("mx."+d, dns.TypeAAAA), q("mx."+d, dns.TypeSOA),
	}
	for _, s := range dkim.KnownSelectors {
		qs = append(qs, q(s.Selector+"._domainkey."+d, dns.TypeTXT))
	}
	return qs
}

func floor(o floorOptions) error {
	dir, err := os.MkdirTemp("", "benchdomain")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := startNSD(dir, o.n)
	if err != nil {
		return err
	}
	defer srv.Close()
	raddr, err := net.ResolveUDPAddr("udp", srv.addr)
	if err != nil {
		return err
	}

	next := make(chan int)
	go func() {
		for i := 0; i < o.n; i++ {
			next <- i
		}
		close(next)
	}()
	var (
		mu       sync.Mutex
		asked    int
		failures int
		firstErr error
	)
	var wg sync.WaitGroup
	cpu0, nsd0, start := cpuTime(), srv.CPU(), time.Now()
	for range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ask, closeConn, err := dialFloor(srv.addr, raddr, o)
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				return
			}
			defer closeConn()
			for i := range next {
				n, lost := ask(floorQuestions(benchName(i) + "."))
				mu.Lock()
				asked += n
				failures += lost
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	wall, cpu, nsdCPU := time.Since(start), cpuTime()-cpu0, srv.CPU()-nsd0
	if firstErr != nil {
		return firstErr
	}
	what := "answers read, not parsed"
	if o.unpack {
		what = "answers parsed (miekg/dns Msg.Unpack)"
	}
	transport := "UDP, sendmmsg and recvmmsg"
	if o.tcp {
		transport = "TCP, one connection per worker, the questions pipelined in one write (RFC 7766 §6.2.1.1)"
	}
	fmt.Printf("floor: %d domains, %d questions each in one round, --concurrency %d, NSD direct, %s; %s\n", o.n, asked/max(o.n, 1), o.concurrency, transport, what)
	fmt.Printf("  wall          %v\n", wall.Round(time.Millisecond))
	fmt.Printf("  throughput    %.0f domains/s\n", float64(o.n)/wall.Seconds())
	fmt.Printf("  CPU           %.2f s, %.3f ms per domain, %.1f µs per question\n", cpu.Seconds(),
		cpu.Seconds()*1000/float64(o.n), cpu.Seconds()*1e6/float64(max(asked, 1)))
	fmt.Printf("  NSD's CPU     %.2f s, %.3f ms per domain\n", nsdCPU.Seconds(), nsdCPU.Seconds()*1000/float64(o.n))
	fmt.Printf("  queries       %d sent by us, %d answered by NSD, %d unanswered\n", asked, srv.Queries(), failures)
	return nil
}

// dialFloor opens one worker's connection, TCP or UDP as o says, and
// returns how to ask a domain's questions on it.
func dialFloor(addr string, raddr *net.UDPAddr, o floorOptions) (ask func([]dns.Question) (sent, lost int), closeConn func() error, err error) {
	if o.tcp {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, nil, err
		}
		c := &floorTCP{conn: conn, r: bufio.NewReaderSize(conn, 16<<10), unpack: o.unpack}
		return c.ask, conn.Close, nil
	}
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		return nil, nil, err
	}
	c := &floorConn{conn: conn, pc: ipv4.NewPacketConn(conn), unpack: o.unpack}
	return c.ask, conn.Close, nil
}

// floorQuery is the wire form of a query for q with the given ID:
// recursion desired, EDNS(0) with mailcheck's 1,232-octet UDP size.
func floorQuery(id uint16, q dns.Question) ([]byte, error) {
	m := new(dns.Msg)
	m.Id, m.RecursionDesired = id, true
	m.Question = []dns.Question{q}
	m.SetEdns0(1232, false)
	return m.Pack()
}

// floorConn is one worker's socket and buffers.
type floorConn struct {
	conn   *net.UDPConn
	pc     *ipv4.PacketConn
	unpack bool
	id     uint16
	out    []ipv4.Message
	in     []ipv4.Message
}

// ask sends qs in one batch and reads until each is answered, resending
// the unanswered ones after a second, three times at most. It returns the
// questions sent and those never answered.
func (c *floorConn) ask(qs []dns.Question) (sent, lost int) {
	pending := make(map[uint16]int, len(qs))
	wires := make([][]byte, len(qs))
	for i, q := range qs {
		c.id++
		w, err := floorQuery(c.id, q)
		if err != nil {
			return len(qs), len(qs)
		}
		wires[i] = w
		pending[c.id] = i
	}
	if len(c.in) == 0 {
		c.in = make([]ipv4.Message, 64)
		for i := range c.in {
			c.in[i].Buffers = [][]byte{make([]byte, 1232)}
		}
	}
	for try := 0; try < 3 && len(pending) > 0; try++ {
		c.out = c.out[:0]
		for _, i := range pending {
			c.out = append(c.out, ipv4.Message{Buffers: [][]byte{wires[i]}})
		}
		for off := 0; off < len(c.out); {
			n, err := c.pc.WriteBatch(c.out[off:], 0)
			if err != nil {
				break
			}
			off += n
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(time.Second))
		for len(pending) > 0 {
			n, err := c.pc.ReadBatch(c.in, 0)
			if err != nil {
				break // the deadline: resend what is left
			}
			for _, m := range c.in[:n] {
				b := m.Buffers[0][:m.N]
				if len(b) < 2 {
					continue
				}
				id := uint16(b[0])<<8 | uint16(b[1])
				if _, ok := pending[id]; !ok {
					continue // a late answer to a resent question
				}
				if c.unpack {
					var r dns.Msg
					if r.Unpack(b) != nil {
						continue
					}
				}
				delete(pending, id)
			}
		}
	}
	return len(qs), len(pending)
}

// floorTCP is one worker's TCP connection.
type floorTCP struct {
	conn   net.Conn
	r      *bufio.Reader
	unpack bool
	id     uint16
	out    []byte
	in     []byte
}

// ask writes qs in one write, each with its two-byte length (RFC 1035
// §4.2.2), and reads an answer for each; an error loses the rest.
func (c *floorTCP) ask(qs []dns.Question) (sent, lost int) {
	c.out = c.out[:0]
	pending := make(map[uint16]bool, len(qs))
	for _, q := range qs {
		c.id++
		w, err := floorQuery(c.id, q)
		if err != nil {
			return len(qs), len(qs)
		}
		c.out = binary.BigEndian.AppendUint16(c.out, uint16(len(w)))
		c.out = append(c.out, w...)
		pending[c.id] = true
	}
	_ = c.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.conn.Write(c.out); err != nil {
		return len(qs), len(qs)
	}
	var hdr [2]byte
	for len(pending) > 0 {
		if _, err := io.ReadFull(c.r, hdr[:]); err != nil {
			break
		}
		n := int(binary.BigEndian.Uint16(hdr[:]))
		if cap(c.in) < n {
			c.in = make([]byte, n)
		}
		b := c.in[:n]
		if _, err := io.ReadFull(c.r, b); err != nil || n < 2 {
			break
		}
		if c.unpack {
			var r dns.Msg
			if r.Unpack(b) != nil {
				continue
			}
		}
		delete(pending, binary.BigEndian.Uint16(b))
	}
	return len(qs), len(pending)
}
