package cli

import (
	"context"
	"fmt"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// sharedEndpointSource names the entry of the shared config file
// (AWS_CONFIG_FILE, else ~/.aws/config) that holds endpoint, that of a
// client of service (as the SDK names it: "SNS"), as the SDK reads it for
// the profile (AWS_PROFILE, else default): the endpoint_url of service in
// the profile's services section, else the profile's endpoint_url. It is
// "" when neither holds endpoint or the files cannot be read.
func sharedEndpointSource(service, endpoint string) string {
	// Loading the configuration reads the environment and the shared
	// files only: no call is made.
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return ""
	}
	for _, src := range cfg.ConfigSources {
		shared, ok := src.(awsconfig.SharedConfig)
		if !ok {
			continue
		}
		if own, found, _ := shared.GetServiceBaseEndpoint(ctx, service); found && own == endpoint {
			return fmt.Sprintf("endpoint_url of %s in [services %s] of profile %s",
				strings.ToLower(strings.ReplaceAll(service, " ", "_")), shared.ServicesSectionName, shared.Profile)
		}
		if shared.BaseEndpoint == endpoint {
			return "endpoint_url of profile " + shared.Profile
		}
	}
	return ""
}
