// Package peerbench compares deferio's PROXY protocol parser
// (github.com/deferio/deferio/procx/peer) with github.com/pires/go-proxyproto
// v0.15.0, side by side in the same run, and checks that the two agree on
// the bytes each writes.
//
//	go test -run '^$' -bench . -count=5 ./peerbench/ | benchstat -col /impl -
package peerbench
