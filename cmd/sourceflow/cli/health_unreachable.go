package cli

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// unreachableCheck is the error of a check whose call could not be sent:
// the cause is said once, in the command's error.
const unreachableCheck = "endpoint not reachable"

// unsentCause is the cause of the calls of failed that could not be sent
// at all (connection refused, unknown host, TLS handshake: no answer came),
// when every failed call is one and there is one; nil otherwise. Such a
// call's error also carries what the SDK's retryer adds, such as its retry
// quota exceeded once the calls before it used the quota up.
func unsentCause(failed []error) error {
	var cause error
	for _, err := range failed {
		if err == nil {
			continue
		}
		sent, ok := sendCause(err)
		if !ok {
			return nil
		}
		cause = cmp.Or(cause, sent)
	}
	return cause
}

// sendCause is why err, a call's error, is that of a call that could not
// be sent at all (see unsentCause): the failed connection (*net.OpError)
// when there is one, without its local addresses (withoutSource), else
// the error the SDK wraps in its *smithyhttp.RequestSendError; ok is
// false for a call that was sent.
func sendCause(err error) (cause error, ok bool) {
	sendErr, ok := errors.AsType[*smithyhttp.RequestSendError](err)
	if !ok {
		return nil, false
	}
	if opErr, ok := errors.AsType[*net.OpError](err); ok {
		return withoutSource(opErr), true
	}
	return sendErr.Err, true
}

// withoutSource is a copy of op, and of the *net.OpError it wraps, if any
// ("readfrom tcp …: write tcp …"), without the local address: a port of
// its own for each connection, so that calls failed alike read alike.
func withoutSource(op *net.OpError) *net.OpError {
	c := *op
	c.Source = nil
	if inner, ok := c.Err.(*net.OpError); ok {
		c.Err = withoutSource(inner)
	}
	return &c
}

// unreached is, when no check reached AWS (noneReached) because no call
// could be sent, the cause (see unsentCause), once the checks whose call
// failed are marked (see markUnreachable); nil otherwise.
func unreached(noneReached bool, checks []topology.HealthCheck, failed []error) error {
	if !noneReached {
		return nil
	}
	cause := unsentCause(failed)
	if cause != nil {
		markUnreachable(checks, failed)
	}
	return cause
}

// markUnreachable replaces the error of each check whose call failed
// (failed, by index) with unreachableCheck.
func markUnreachable(checks []topology.HealthCheck, failed []error) {
	for i, err := range failed {
		if err != nil {
			checks[i].Error = unreachableCheck
		}
	}
}

// unreachable is the error of a health run whose calls could not reach the
// endpoint at all, for cause, that of call (the first failed call, see
// unsentCause): the endpoint and region named are those of the client that
// made call (callTarget), such as the SNS client's for a topic's check.
func (s *session) unreachable(cause, call error) error {
	_, region, endpoint := s.callTarget(call)
	return &ExitError{Code: ExitAWS, Err: fmt.Errorf("health: the endpoint cannot be reached (%s; "+
		"region %s): %w\nno check reached AWS, so the health of the resources is unknown: %s",
		endpoint, region, cause, unreachedHint(cause))}
}

// notTLSAnswer is the error net/http returns, in place of the
// tls.RecordHeaderError, when an https:// address answers plain HTTP; it
// has no type or sentinel of its own.
const notTLSAnswer = "server gave HTTP response to HTTPS client"

// unreachedHint says what to check for cause: the certificate when the TLS
// handshake refused it (crypto/tls wraps every x509 verification error in
// a *tls.CertificateVerificationError), the scheme when the endpoint does
// not answer TLS, else the endpoint and the network.
func unreachedHint(cause error) string {
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
	switch {
	case errors.As(cause, &verify), errors.As(cause, &unknownCA), errors.As(cause, &invalid), errors.As(cause, &hostname):
		return "the endpoint's certificate was refused: check that it names the endpoint's host and, for a " +
			"private certificate authority, that AWS_CA_BUNDLE names its certificate"
	case errors.As(cause, &record), strings.Contains(cause.Error(), notTLSAnswer):
		return "the endpoint did not answer TLS: check the scheme of its address (http:// or https://)"
	}
	return "check that the endpoint is up and its address right, and the network between"
}
