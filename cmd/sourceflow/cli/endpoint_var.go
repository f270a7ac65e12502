package cli

import (
	"cmp"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow/internal/redact"
)

// endpointVar is the variable the SDK reads a client's endpoint from when
// the service's own (serviceEndpointVar; the SQS client's is
// AWS_ENDPOINT_URL_SQS) is unset.
const endpointVar = "AWS_ENDPOINT_URL"

// serviceEndpointVar is the variable the SDK reads the endpoint of a
// client of service (as the SDK names it: "SNS", "DynamoDB") from:
// AWS_ENDPOINT_URL_ and the name in capitals, a space as an underscore
// (AWS_ENDPOINT_URL_DYNAMODB).
func serviceEndpointVar(service string) string {
	return endpointVar + "_" + strings.ToUpper(strings.ReplaceAll(service, " ", "_"))
}

// endpointSource names the variable endpoint, the SQS client's, came
// from: AWS_ENDPOINT_URL_SQS when it holds endpoint, else AWS_ENDPOINT_URL
// (also when no variable holds it, as when the caller's Clients set it).
func endpointSource(endpoint string) string {
	return serviceEndpointSource(endpoint, serviceEndpointVar(sqs.ServiceID))
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

// endpointNote is the endpoint of the SQS client as advice names it: its
// variable and value, without password ("AWS_ENDPOINT_URL_SQS:
// http://localhost:4566"), or "AWS_ENDPOINT_URL: unset, so AWS itself".
func (s *session) endpointNote() string {
	return endpointText(endpointSource(s.clients.Endpoint), s.clients.Endpoint)
}

// endpointText words endpoint, which the variable source names, as
// endpointNote does.
func endpointText(source, endpoint string) string {
	if endpoint == "" {
		return source + ": unset, so AWS itself"
	}
	return source + ": " + redact.Endpoint(endpoint)
}

// optionsTarget is the region and endpoint (as endpointNote words it) of
// api, the client of service (as the SDK names it: "SNS"), which the
// Clients or a command build apart from the SQS client: the ones its
// options (of type O, whose Region and BaseEndpoint read returns) name,
// as the SDK's clients report them (the SDK resolves service's own
// variable, else AWS_ENDPOINT_URL, into them); for a client that reports
// none, region and the endpoint those variables name.
func optionsTarget[O any](api any, service, region string, read func(O) (string, *string)) (string, string) {
	serviceVar := serviceEndpointVar(service)
	endpoint := cmp.Or(os.Getenv(serviceVar), os.Getenv(endpointVar))
	if c, ok := api.(interface{ Options() O }); ok {
		r, e := read(c.Options())
		region, endpoint = cmp.Or(r, region), aws.ToString(e)
	}
	return region, endpointText(serviceEndpointSource(endpoint, serviceVar), endpoint)
}
