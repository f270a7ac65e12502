package cli

import (
	"cmp"
	"os"
)

// Variables the SDK reads the SQS client's endpoint from, the first set
// winning.
const (
	sqsEndpointVar = "AWS_ENDPOINT_URL_SQS"
	endpointVar    = "AWS_ENDPOINT_URL"
)

// endpointSource names the variable endpoint, the SQS client's, came
// from: AWS_ENDPOINT_URL_SQS when it holds endpoint, else AWS_ENDPOINT_URL
// (also when no variable holds it, as when the caller's Clients set it).
func endpointSource(endpoint string) string {
	if endpoint != "" && os.Getenv(sqsEndpointVar) == endpoint {
		return sqsEndpointVar
	}
	return endpointVar
}

// endpointNote is the endpoint as advice names it: its variable and
// value, without password ("AWS_ENDPOINT_URL_SQS: http://localhost:4566"),
// or "AWS_ENDPOINT_URL: unset, so AWS itself".
func (s *session) endpointNote() string {
	return endpointSource(s.clients.Endpoint) + ": " + cmp.Or(s.endpoint(), "unset, so AWS itself")
}
