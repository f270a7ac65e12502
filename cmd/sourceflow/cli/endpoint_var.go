package cli

import (
	"cmp"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
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

// endpointSource names where endpoint, the SQS client's, came from, as
// endpointSourceOf does.
func endpointSource(endpoint string) string {
	return endpointSourceOf(sqs.ServiceID, endpoint, sharedProfile)
}

// endpointSourceOf names where endpoint, that of a client of service (as
// the SDK names it: "SNS"), came from, in the order the SDK resolves it:
// the service's own variable (serviceEndpointVar), AWS_ENDPOINT_URL, the
// shared config file's profile (sharedEndpointSource); else the program
// that gave the CLI its clients (programSource), as it is when the SDK
// ignores the configured endpoints (endpointsIgnoredBy). When nothing set
// one, it names the two variables that would. profile loads the shared
// files' profile (sharedEndpointSource).
func endpointSourceOf(service, endpoint string, profile func() (awsconfig.SharedConfig, bool)) string {
	serviceVar := serviceEndpointVar(service)
	switch {
	case endpoint == "":
		return serviceVar + " and " + endpointVar
	case endpointsIgnoredBy(profile) != "":
		return programSource
	case os.Getenv(serviceVar) == endpoint:
		return serviceVar
	case os.Getenv(endpointVar) == endpoint:
		return endpointVar
	}
	return cmp.Or(sharedEndpointSource(service, endpoint, profile), programSource)
}

// endpointNote is the endpoint of the SQS client as advice names it
// (endpointText).
func (s *session) endpointNote() string {
	return endpointText(sqs.ServiceID, s.clients.Endpoint, s.shared.profile)
}

// endpointText words endpoint, that of a client of service, for advice:
// where it came from (endpointSourceOf) and its value, without password
// ("AWS_ENDPOINT_URL_SQS: http://localhost:4566"); when nothing set one,
// that the client called the region's AWS endpoint, naming the variables
// that would set one ("AWS_ENDPOINT_URL_SNS and AWS_ENDPOINT_URL unset,
// so the region's AWS endpoint"), or the setting that made the SDK ignore
// them (endpointsIgnoredBy). profile loads the shared files' profile
// (sharedEndpointSource).
func endpointText(service, endpoint string, profile func() (awsconfig.SharedConfig, bool)) string {
	if endpoint == "" {
		if by := endpointsIgnoredBy(profile); by != "" {
			return "the region's AWS endpoint, as " + by + " ignores the configured endpoints"
		}
		return endpointSourceOf(service, endpoint, profile) + " unset, so the region's AWS endpoint"
	}
	return endpointSourceOf(service, endpoint, profile) + ": " + redact.Endpoint(endpoint)
}

// optionsTarget is the region and endpoint (as endpointNote words it) of
// api, the client of service (as the SDK names it: "SNS"), which the
// Clients or a command build apart from the SQS client: the ones its
// options (of type O, whose Region and BaseEndpoint read returns) name,
// as the SDK's clients report them (the SDK resolves service's own
// variable, else AWS_ENDPOINT_URL, into them); for a client that reports
// none, region and the endpoint those variables name, none when the SDK
// ignores them (endpointsIgnoredBy). profile loads the shared files'
// profile (sharedEndpointSource).
func optionsTarget[O any](api any, service, region string, read func(O) (string, *string),
	profile func() (awsconfig.SharedConfig, bool)) (string, string) {
	endpoint := ""
	if endpointsIgnoredBy(profile) == "" {
		endpoint = cmp.Or(os.Getenv(serviceEndpointVar(service)), os.Getenv(endpointVar))
	}
	if c, ok := api.(interface{ Options() O }); ok {
		r, e := read(c.Options())
		region, endpoint = cmp.Or(r, region), aws.ToString(e)
	}
	return region, endpointText(service, endpoint, profile)
}
