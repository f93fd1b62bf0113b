package smtptest

import (
	"bufio"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// The recorder that the probe tests rely on does catch mail commands: a
// client that sends them is seen, in order, with the session it used.
func TestMailCommandsRecorded(t *testing.T) {
	srv := Start(t, Config{Hostname: "mx.test"})
	c, err := net.Dial("tcp4", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	read := func() string {
		var last string
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			last = l
			if len(l) >= 4 && l[3] == ' ' {
				return strings.TrimSpace(last)
			}
		}
	}
	if g := read(); !strings.HasPrefix(g, "220 mx.test") {
		t.Fatalf("greeting %q", g)
	}
	for _, cmd := range []string{"EHLO client.test", "MAIL FROM:<a@client.test>", "rcpt TO:<b@mx.test>", "AUTH PLAIN AGFAAGI=", "QUIT"} {
		if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
			t.Fatal(err)
		}
		read()
	}
	want := []string{"MAIL FROM:<a@client.test>", "rcpt TO:<b@mx.test>", "AUTH PLAIN AGFAAGI="}
	if got := srv.MailCommands(); !slices.Equal(got, want) {
		t.Errorf("MailCommands %q, want %q", got, want)
	}
	if n := len(srv.Commands()); n != 5 || srv.Sessions() != 1 || srv.Commands()[0].Session != 1 {
		t.Errorf("%d commands, %d sessions", n, srv.Sessions())
	}
	if srv.Pregreeted() {
		t.Error("pregreet reported for a client that waited")
	}
}

// A client that talks before the greeting is complete is noticed.
func TestPregreetDetected(t *testing.T) {
	srv := Start(t, Config{GreetingDelay: 300 * time.Millisecond})
	c, err := net.Dial("tcp4", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("EHLO early.test\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if !srv.Pregreeted() {
		t.Error("pregreet not detected")
	}
}

func TestRefusedAddr(t *testing.T) {
	if c, err := net.Dial("tcp4", RefusedAddr(t)); err == nil {
		c.Close()
		t.Fatal("connect succeeded")
	}
}
