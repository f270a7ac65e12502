package cli

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The hint follows the errors net/http really returns: an https:// address
// of an endpoint that answers plain HTTP fails with net/http's own error,
// not tls.RecordHeaderError, and a certificate is refused inside a
// *tls.CertificateVerificationError, whatever x509 error it holds.
func TestUnreachedHintOnTheErrorsOfNetHTTP(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	_, err := plain.Client().Get(strings.Replace(plain.URL, "http://", "https://", 1))
	require.Error(t, err)
	assert.Contains(t, unreachedHint(err), "http:// or https://", "plain HTTP at an https:// address: %v", err)

	insecure := &tls.CertificateVerificationError{Err: x509.InsecureAlgorithmError(x509.SHA1WithRSA)}
	assert.Contains(t, unreachedHint(dialFailure(insecure)), "certificate was refused")
}

func dialFailure(err error) error {
	return &url.Error{Op: "Post", URL: "https://sqs.example:4566/", Err: err}
}
