// Package chain gets and describes what a TLS server presents: it dials a
// server with a device's ClientHello (dial.go, hello.go), reads chains from
// PEM or DER files and packet captures (load.go, pcap.go, pcapfile.go), measures the
// Certificate message as records on the wire (records.go), and finds the
// path a device builds from the served certificates to a trust anchor
// (path.go, anchor.go). It knows TLS and X.509, never a device: device
// limits live in profiles and are judged by package constraints.
package chain
