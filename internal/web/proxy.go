package web

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/handover-project/handover/internal/web/httpx"
)

// clientAddr is the address of the client that sent r, as the login
// limiter, the known addresses of an account and the request log count
// it: the connection's own address, or, when that is in one of the
// trusted proxies' ranges (serve --trusted-proxy), the address the
// proxies put in X-Forwarded-For.
//
// The header is read from the right: each trusted proxy appends the
// address it was reached from, so the rightmost address that is not a
// trusted proxy's is the first one a trusted proxy vouches for; anything
// to the left of it the client wrote itself, and is never read. An entry
// that is not an address ends the walk at the last trusted address
// reached (the proxy that sent it). From any other peer the header is
// ignored. The result is only ever a parsed address written out again
// (no port, no zone, IPv4 unmapped): nothing a client wrote reaches the
// limiter's tables or a log line as it is.
//
// serve --metrics-allow does not use this: it reads the connection's own
// address only (Server.metricsAllowed).
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return httpx.ClientIP(r) // not an IP connection: as it is
	}
	addr := canonical(peer.Addr())
	if !inPrefixes(trusted, addr) {
		return addr.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		fields := strings.Split(hops[i], ",")
		for j := len(fields) - 1; j >= 0; j-- {
			a, ok := forwardedAddr(fields[j])
			if !ok {
				return addr.String()
			}
			addr = a
			if !inPrefixes(trusted, a) {
				return a.String()
			}
		}
	}
	return addr.String()
}

// forwardedAddr reads one entry of X-Forwarded-For: an address, or an
// address and port ("198.51.100.7:4711", "[2001:db8::1]:443"), as some
// proxies write it.
func forwardedAddr(f string) (netip.Addr, bool) {
	f = strings.TrimSpace(f)
	if a, err := netip.ParseAddr(f); err == nil {
		return canonical(a), true
	}
	if ap, err := netip.ParseAddrPort(f); err == nil {
		return canonical(ap.Addr()), true
	}
	return netip.Addr{}, false
}

// canonical is a without a zone (text a client may choose) and, for an
// IPv4-mapped IPv6 address, the IPv4 address: one client, one spelling.
func canonical(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
