package peerlessons

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx/peer"
)

// show: handler
// handler answers with what it believes about the client. It trusts
// X-Forwarded-For only when the request comes from the proxy, and then
// reads it from the right.
func handler(proxy netip.Addr, seen chan<- peer.Result) http.Handler {
	trust := peer.HTTPTrust{Proxies: []netip.Prefix{netip.PrefixFrom(proxy, proxy.BitLen())}, Header: "X-Forwarded-For"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := peer.ResolveRequest(r, trust) // needs Server.ConnContext = peer.ConnContext
		fmt.Fprintf(w, "X-Forwarded-For as received: %q\n", r.Header.Get("X-Forwarded-For"))
		seen <- res
	})
}

// end: handler

func httpLesson() lesson.Lesson {
	return lesson.Lesson{
		ID: "peer-http", Topic: "peer", Title: "X-Forwarded-For: read it from the right, from trusted proxies only",
		Run: func(ctx context.Context, p *lesson.Page) error {
			// Loopback, even as root: the lying client must reach the
			// server directly, which the namespaces of the other
			// lessons do not allow.
			t, err := newTopology(false)
			if err != nil {
				return err
			}
			defer t.Close()
			if err := showSnippet(p, "http.go", "handler"); err != nil {
				return err
			}
			seen := make(chan peer.Result, 1)
			sl, err := t.listen("server", t.server)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: handler(t.back, seen), ConnContext: peer.ConnContext}
			go srv.Serve(sl)
			defer srv.Close()

			target := &url.URL{Scheme: "http", Host: sl.Addr().String()}
			rp := &httputil.ReverseProxy{
				Rewrite: func(r *httputil.ProxyRequest) {
					r.SetURL(target)
					r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"]
					r.SetXForwarded() // appends the proxy's peer, as nginx and HAProxy do
				},
				Transport: &http.Transport{DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
					return t.dial(ctx, "proxy", t.back, addr)
				}},
			}
			pl, err := t.listen("proxy", t.front)
			if err != nil {
				return err
			}
			psrv := &http.Server{Handler: rp}
			go psrv.Serve(pl)
			defer psrv.Close()

			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
				return t.dial(ctx, "client", t.client, addr)
			}}}
			p.Textf("Topology: %s. The client at %s sends \"X-Forwarded-For: 6.6.6.6\", a lie, first straight to the server, then through a reverse proxy (Go's httputil.ReverseProxy at %s, which appends the address it got the request from).", t.name, t.client, t.back)
			for _, via := range []struct{ name, host string }{
				{"straight to the server", sl.Addr().String()},
				{"through the proxy", pl.Addr().String()},
			} {
				req, err := http.NewRequestWithContext(ctx, "GET", "http://"+via.host+"/", nil)
				if err != nil {
					return err
				}
				req.Header.Set("X-Forwarded-For", "6.6.6.6")
				resp, err := client.Do(req)
				if err != nil {
					return fmt.Errorf("request %s: %w", via.name, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				res := <-seen
				p.Output("client -> "+via.name, strings.TrimSpace(string(body)))
				printSteps(p, res)
			}
			return nil
		},
	}
}
