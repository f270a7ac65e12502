package awsbus

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// plainHTTPCheckID names the middleware withPlainHTTPCheck adds.
const plainHTTPCheckID = "SourceFlowPlainHTTPEndpoint"

// plainHTTPWarned holds the endpoints warnPlainHTTP warned of, so that it
// warns of each once per process, whatever the clients calling it.
var plainHTTPWarned sync.Map

// withPlainHTTPCheck returns cfg whose clients check, at each call, the
// endpoint they resolved (whatever set it: AWS_ENDPOINT_URL and its
// per-service forms, the shared config's endpoint_url, a client option),
// and warn of a plain http:// one on a host that is not a loopback one
// (see warnPlainHTTP). It is in the stack once, however often it is added.
func withPlainHTTPCheck(cfg aws.Config) aws.Config {
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), func(stack *middleware.Stack) error {
		if _, added := stack.Finalize.Get(plainHTTPCheckID); added {
			return nil
		}
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc(plainHTTPCheckID, checkPlainHTTP), middleware.After)
	})
	return cfg
}

// checkPlainHTTP runs after the client resolved the endpoint of a call.
func checkPlainHTTP(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error) {
	if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
		warnPlainHTTP(req.URL, middleware.GetServiceID(ctx))
	}
	return next.HandleFinalize(ctx, in)
}

// warnPlainHTTP logs, once per endpoint, at slog's Warn on the default
// logger, that u, the endpoint of a call to service, is plain HTTP on a host
// that is not a loopback one. The endpoint is shown in the line's endpoint
// field (not in its message, which stays constant) as http://host:port,
// without the user information its URL may hold.
func warnPlainHTTP(u *url.URL, service string) {
	if !strings.EqualFold(u.Scheme, "http") || loopbackHost(u.Hostname()) {
		return
	}
	endpoint := "http://" + u.Host
	if _, warned := plainHTTPWarned.LoadOrStore(endpoint, struct{}{}); warned {
		return
	}
	slog.Warn("awsbus: an AWS endpoint is plain HTTP: requests are signed, but responses are not "+
		"authenticated, so anyone on the network path can read them and answer in the endpoint's place "+
		"(a KMS can hand out data keys it knows, a queue deliver messages of its choosing); "+
		"use an https:// endpoint (AWS_ENDPOINT_URL and its per-service forms, endpoint_url)",
		"endpoint", endpoint, "service", service)
}

// loopbackHost reports whether host is "localhost", a name under
// ".localhost", or a loopback address: an emulator on this machine.
func loopbackHost(host string) bool {
	host = strings.ToLower(host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
