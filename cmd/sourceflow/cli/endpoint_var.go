package cli

import (
	"cmp"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sourceflow-go/sourceflow/internal/redact"
)

// Variables the SDK reads a client's endpoint from, the service's own
// (the SQS client's, the KMS client's) winning over the general one.
const (
	sqsEndpointVar = "AWS_ENDPOINT_URL_SQS"
	kmsEndpointVar = "AWS_ENDPOINT_URL_KMS"
	endpointVar    = "AWS_ENDPOINT_URL"
)

// endpointSource names the variable endpoint, the SQS client's, came
// from: AWS_ENDPOINT_URL_SQS when it holds endpoint, else AWS_ENDPOINT_URL
// (also when no variable holds it, as when the caller's Clients set it).
func endpointSource(endpoint string) string {
	return serviceEndpointSource(endpoint, sqsEndpointVar)
}

// serviceEndpointSource names the variable endpoint, a client's, came
// from: serviceVar, the client's service's own, when it holds endpoint,
// else AWS_ENDPOINT_URL.
func serviceEndpointSource(endpoint, serviceVar string) string {
	if endpoint != "" && os.Getenv(serviceVar) == endpoint {
		return serviceVar
	}
	return endpointVar
}

// endpointNote is the endpoint as advice names it: its variable and
// value, without password ("AWS_ENDPOINT_URL_SQS: http://localhost:4566"),
// or "AWS_ENDPOINT_URL: unset, so AWS itself".
func (s *session) endpointNote() string {
	return endpointSource(s.clients.Endpoint) + ": " + cmp.Or(s.endpoint(), "unset, so AWS itself")
}

// kmsEndpointNote is endpointNote for the KMS client api, which peek
// --decrypt builds apart from Clients: the endpoint its options name, as
// *kms.Client's do (the SDK resolves AWS_ENDPOINT_URL_KMS, else
// AWS_ENDPOINT_URL, into them), else the one those variables name, with
// the variable it came from ("AWS_ENDPOINT_URL_KMS: http://localhost:4566").
func kmsEndpointNote(api any) string {
	endpoint := cmp.Or(os.Getenv(kmsEndpointVar), os.Getenv(endpointVar))
	if c, ok := api.(interface{ Options() kms.Options }); ok {
		endpoint = aws.ToString(c.Options().BaseEndpoint)
	}
	shown := "unset, so AWS itself"
	if endpoint != "" {
		shown = redact.Endpoint(endpoint)
	}
	return serviceEndpointSource(endpoint, kmsEndpointVar) + ": " + shown
}
