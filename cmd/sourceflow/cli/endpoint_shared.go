package cli

import (
	"cmp"
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
// "" when neither holds endpoint or the files cannot be read. profile
// loads the profile (sharedProfile, or a session's sharedFiles.profile).
func sharedEndpointSource(service, endpoint string, profile func() (awsconfig.SharedConfig, bool)) string {
	shared, ok := profile()
	if !ok {
		return ""
	}
	ctx := context.Background()
	if own, found, _ := shared.GetServiceBaseEndpoint(ctx, service); found && own == endpoint {
		return fmt.Sprintf("endpoint_url of %s in [services %s] of profile %s",
			strings.ToLower(strings.ReplaceAll(service, " ", "_")), shared.ServicesSectionName, shared.Profile)
	}
	if shared.BaseEndpoint == endpoint {
		return "endpoint_url of profile " + shared.Profile
	}
	return ""
}

// sharedProfile is the profile of the shared files the SDK reads, as the
// environment names them (AWS_PROFILE, AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE, else the defaults). It reads the
// environment and the files only: unlike the SDK's loading of its whole
// configuration (awsconfig.LoadDefaultConfig), which may ask the instance
// metadata service for the region, it makes no call. ok is false when
// the files cannot be read or do not have the profile.
func sharedProfile() (shared awsconfig.SharedConfig, ok bool) {
	env, err := awsconfig.NewEnvConfig()
	if err != nil {
		return shared, false
	}
	profile := cmp.Or(env.SharedConfigProfile, awsconfig.DefaultSharedConfigProfile)
	shared, err = awsconfig.LoadSharedConfigProfile(context.Background(), profile, func(o *awsconfig.LoadSharedConfigOptions) {
		if env.SharedConfigFile != "" {
			o.ConfigFiles = []string{env.SharedConfigFile}
		}
		if env.SharedCredentialsFile != "" {
			o.CredentialsFiles = []string{env.SharedCredentialsFile}
		}
	})
	return shared, err == nil
}
