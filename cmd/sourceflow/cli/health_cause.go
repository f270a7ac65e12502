package cli

import (
	"errors"
	"net"
	"regexp"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// shortCause is the cause of err, a check's failed call (see failedCalls),
// in a few words: what the packages that wrapped the SDK's error say of
// the call (wrapText), then what AWS answered (its error code and message)
// when it answered, else the connection that failed for a call that could
// not be sent (sendCause), else the innermost error err wraps
// (innermost); without what differs from one call to the next
// (withoutCallTokens); cut to maxCause (boundedCause). A probe that
// panicked says so, with the panic's value.
func shortCause(err error) string {
	if p, ok := errors.AsType[*probePanic](err); ok {
		return p.Error()
	}
	inner := innermost(err)
	return boundedCause(withoutCallTokens(errtext.KeepEnds(wrapText(err, inner)+callCause(err, inner), maxCauseRead)))
}

// maxCauseRead bounds, in bytes, the text withoutCallTokens reads of a
// cause before boundedCause cuts it (errtext.KeepEnds): its search takes time in
// proportion to the text's length, and an endpoint's answer may be of any
// length.
const maxCauseRead = 8 * maxCause

// maxCause bounds, in bytes, a cause as shortCause words it, and an error
// code AWS answered: an endpoint's answer may be of any length, and it is
// said in a row of the table and a line of the error.
const maxCause = 512

// boundedCause is text, what an endpoint answered, cut to maxCause as
// errtext.KeepEnds cuts it. The characters a terminal would act on are escaped
// where it is printed (oneLine, printable).
func boundedCause(text string) string {
	return errtext.KeepEnds(text, maxCause)
}

// callCause is the cause of err, a failed call, as shortCause words it,
// without what wrapped it. inner is innermost(err).
func callCause(err, inner error) string {
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		if msg := apiErr.ErrorMessage(); msg != "" {
			return apiErr.ErrorCode() + ": " + msg
		}
		return apiErr.ErrorCode()
	}
	if cause, ok := sendCause(err); ok {
		return cause.Error()
	}
	if op, ok := inner.(*net.OpError); ok { //nolint:errorlint // innermost stops at it
		return withoutSource(op).Error()
	}
	return inner.Error()
}

// wrapText is what the package that wrapped the SDK's error (its
// *smithy.OperationError, else the innermost error) says of the call, at
// the start of the wrapper's text ("find the account with
// sts:GetCallerIdentity: "): the nearest wrapper's, not those around it,
// which name the resource the call was for ("ARN of topic \"orders\": "),
// so that the calls of several resources that failed alike read alike.
// It is "" when there is none, or when the wrapper's text does not end
// with the wrapped one's. inner is innermost(err).
func wrapText(err, inner error) string {
	if op, ok := errors.AsType[*smithy.OperationError](err); ok {
		inner = op
	}
	wrapped := inner.Error()
	nearest := err
	for e := err; e != nil; e = errors.Unwrap(e) {
		if next := errors.Unwrap(e); next != nil && next.Error() == wrapped {
			nearest = e
			break
		}
	}
	if prefix, ok := strings.CutSuffix(nearest.Error(), wrapped); ok {
		return prefix
	}
	return ""
}

// innermost is the innermost error err wraps: the last of its chain, the
// first *net.OpError of it (whose text says the connection that failed,
// the errors within it only why), or, within a joined error (the SDK
// joins the call's error and its retryer's), the first joined error's.
func innermost(err error) error {
	for {
		if _, ok := err.(*net.OpError); ok { //nolint:errorlint // each error of the chain, one by one
			return err
		}
		var next error
		switch e := err.(type) { //nolint:errorlint // each error of the chain, one by one
		case interface{ Unwrap() []error }:
			if errs := e.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		case interface{ Unwrap() error }:
			next = e.Unwrap()
		}
		if next == nil {
			return err
		}
		err = next
	}
}

// callToken is a request or host id with its value, as error texts say
// them ("RequestID: 4f2c…", "x-amzn-RequestId=…").
// #nosec G101 -- a pattern matching request ids in error texts, not a credential.
const callToken = `(?i:request[ _-]?id|x-amzn-requestid|x-amz-request-id|host[ _-]?id|x-amz-id-2)(?::\s*|=)[^\s,;)]*`

// callTokens matches what an error's text says of one call only: a
// callToken, in parentheses or after its separator (", RequestID: …"),
// and the local address of a connection ("127.0.0.1:40001->"), a port of
// its own for each.
var callTokens = regexp.MustCompile(`\s*\(` + callToken + `\)|(?:[,;]\s*)?\b` + callToken + `|\S+:\d+->`)

// withoutCallTokens is text without what callTokens matches, so that calls
// that failed alike read alike.
func withoutCallTokens(text string) string {
	return callTokens.ReplaceAllString(text, "")
}
