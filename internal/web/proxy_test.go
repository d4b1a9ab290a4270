package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestTrustedProxyClientAddr: the client's address is the connection's,
// or, from a trusted proxy, the rightmost address of X-Forwarded-For that
// is not a trusted proxy's; never what a client wrote to the left of it,
// never the header of any other peer, and never anything but an address.
func TestTrustedProxyClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"no trusted proxy", nil, "127.0.0.1:40000", []string{"198.51.100.7"}, "127.0.0.1"},
		{"untrusted peer", trusted, "192.0.2.50:40000", []string{"198.51.100.7"}, "192.0.2.50"},
		{"trusted peer, no header", trusted, "127.0.0.1:40000", nil, "127.0.0.1"},
		{"trusted peer", trusted, "127.0.0.1:40000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"the client's own entry ignored", trusted, "127.0.0.1:40000", []string{"192.0.2.44, 198.51.100.7"}, "198.51.100.7"},
		{"a chain of trusted proxies", trusted, "127.0.0.1:40000", []string{"192.0.2.44, 198.51.100.7, 10.0.0.5"}, "198.51.100.7"},
		{"several header lines", trusted, "127.0.0.1:40000", []string{"192.0.2.44", "198.51.100.7, 10.0.0.5"}, "198.51.100.7"},
		{"all trusted", trusted, "127.0.0.1:40000", []string{"10.0.0.9, 10.0.0.5"}, "10.0.0.9"},
		{"not an address past a trusted one", trusted, "127.0.0.1:40000", []string{"Загоруйко, 10.0.0.5"}, "10.0.0.5"},
		{"not an address at the right", trusted, "127.0.0.1:40000", []string{"198.51.100.7, <script>"}, "127.0.0.1"},
		{"an empty entry", trusted, "127.0.0.1:40000", []string{"198.51.100.7,"}, "127.0.0.1"},
		{"empty header", trusted, "127.0.0.1:40000", []string{""}, "127.0.0.1"},
		{"with a port", trusted, "127.0.0.1:40000", []string{"198.51.100.7:4711"}, "198.51.100.7"},
		{"IPv6", trusted, "[::1]:40000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv6 with a port", trusted, "[::1]:40000", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"a zone is no part of it", trusted, "[::1]:40000", []string{"fe80::1%Загоруйко"}, "fe80::1"},
		{"IPv4-mapped", trusted, "[::ffff:127.0.0.1]:40000", []string{"::ffff:198.51.100.7"}, "198.51.100.7"},
		{"a peer that is no address", trusted, "pipe", []string{"198.51.100.7"}, "pipe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientAddr(r, tc.trusted); got != tc.want {
				t.Errorf("from %s with X-Forwarded-For %q: got %q, want %q", tc.peer, tc.xff, got, tc.want)
			}
		})
	}
}
