package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// defaultsModeVar is the variable that sets the SDK's defaults mode; the
// shared config file's profile sets it with defaults_mode.
const defaultsModeVar = "AWS_DEFAULTS_MODE"

// defaultsModeAutoBy names the setting that makes the SDK's defaults mode
// auto, as the SDK reads it: defaultsModeVar when it is set, else
// defaults_mode of the shared config file's profile (profile loads it, see
// sharedProfile); "" for another mode. With auto, the SDK's loading of its
// configuration (awsconfig.LoadDefaultConfig) asks the instance metadata
// service (IMDS) for the region the program runs in, within the loading's
// context: where IMDS is unreachable but does not refuse the connection,
// it waits for seconds. It asks nothing of IMDS otherwise (it would ask it
// for the region with awsconfig.WithEC2IMDSRegion, which LoadClients does
// not pass; the credentials of an instance role come from IMDS on the
// first call, within that call's context).
func defaultsModeAutoBy(profile func() (awsconfig.SharedConfig, bool)) string {
	if v := os.Getenv(defaultsModeVar); v != "" {
		if strings.EqualFold(v, string(aws.DefaultsModeAuto)) {
			return defaultsModeVar + "=" + v
		}
		return ""
	}
	if shared, ok := profile(); ok && shared.DefaultsMode == aws.DefaultsModeAuto {
		return "defaults_mode = auto of profile " + shared.Profile
	}
	return ""
}

// loadError is the error of the SDK's loading of its configuration, which
// failed with err within ctx, the command's (--timeout): when ctx ended
// while the defaults mode was auto (defaultsModeAutoBy), it was waiting on
// the instance metadata service, and the error says so, by which setting,
// whether the command's time ran out or it was interrupted, and what to
// do; else what to check.
func loadError(ctx context.Context, err error) error {
	by := ""
	if ctx.Err() != nil {
		by = defaultsModeAutoBy(sharedProfile)
	}
	if by == "" {
		return fmt.Errorf("load the AWS configuration: %w (check AWS_PROFILE and the shared config files)", err)
	}
	ended, more := "had not answered when the command was interrupted", ""
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		ended, more = "did not answer before the command's time ran out", ", else allow more time with --timeout"
	}
	return fmt.Errorf("load the AWS configuration: %s has the SDK ask the instance metadata service (IMDS) "+
		"for the region it runs in, and IMDS %s: %w; where no IMDS runs, set AWS_EC2_METADATA_DISABLED=true "+
		"or another defaults mode (%s=standard)%s", by, ended, err, defaultsModeVar, more)
}
