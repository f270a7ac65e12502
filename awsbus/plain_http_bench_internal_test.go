package awsbus

import (
	"io"
	"log/slog"
	"net/url"
	"testing"
)

// BenchmarkWarnPlainHTTP measures the check every call of a client
// WithRetries set up makes of its endpoint: an https:// one, a loopback
// http:// one (an emulator) and a remote http:// one, warned of once.
func BenchmarkWarnPlainHTTP(b *testing.B) {
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	b.Cleanup(func() { slog.SetDefault(previous) })
	for _, endpoint := range []string{"https://sqs.example.com", "http://127.0.0.1:4566", "http://localhost:4566", "http://sqs.example.com:4566"} {
		u, err := url.Parse(endpoint)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(endpoint, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				warnPlainHTTP(u, "SQS")
			}
		})
	}
}
