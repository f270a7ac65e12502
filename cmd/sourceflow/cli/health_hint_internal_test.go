package cli

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An endpoint that cannot be reached is told what to check by the cause: the
// certificate when the TLS handshake refused it, the scheme when the
// endpoint does not speak TLS, else the endpoint and the network.
func TestUnreachedHintFollowsTheCause(t *testing.T) {
	dial := func(err error) error { return &url.Error{Op: "Post", URL: "https://sqs.example:4566/", Err: err} }
	tests := map[string]struct {
		cause error
		want  string
	}{
		"unknown authority": {dial(x509.UnknownAuthorityError{}), "AWS_CA_BUNDLE"},
		"wrong host":        {dial(x509.HostnameError{Host: "sqs.example"}), "names the endpoint's host"},
		"not TLS":           {dial(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), "http:// or https://"},
		"refused":           {dial(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), "the endpoint is up"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Contains(t, unreachedHint(tt.cause), tt.want)
		})
	}
}
