package cli

import (
	"os"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// ignoreEndpointsVar is the variable that makes the SDK ignore every
// configured endpoint: the AWS_ENDPOINT_URL variables and the shared
// config file's endpoint_url entries, not one a program sets.
const ignoreEndpointsVar = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"

// programSource names an endpoint that neither a variable nor the shared
// config file set: one the program set in the clients it gave the CLI
// (Config.Clients).
const programSource = "set by the program"

// endpointsIgnoredBy names the setting that makes the SDK ignore the
// configured endpoints, as the SDK reads it: ignoreEndpointsVar when it
// is set (true, or false to not ignore them), else
// ignore_configured_endpoint_urls of the shared config file's profile
// (profile loads it, see sharedEndpointSource). It is "" when the
// configured endpoints count, or when the variable holds what the SDK
// refuses (it then fails to load its configuration).
func endpointsIgnoredBy(profile func() (awsconfig.SharedConfig, bool)) string {
	if v := os.Getenv(ignoreEndpointsVar); v != "" {
		if strings.EqualFold(v, "true") {
			return ignoreEndpointsVar
		}
		return ""
	}
	if shared, ok := profile(); ok && shared.IgnoreConfiguredEndpoints != nil && *shared.IgnoreConfiguredEndpoints {
		return "ignore_configured_endpoint_urls of profile " + shared.Profile
	}
	return ""
}
