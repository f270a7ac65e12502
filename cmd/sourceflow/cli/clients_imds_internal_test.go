package cli

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/stretchr/testify/assert"
)

// The setting that makes the defaults mode auto is named as the SDK reads
// it: AWS_DEFAULTS_MODE, in any case, before the profile's defaults_mode,
// which counts only when the variable is unset.
func TestDefaultsModeAutoByNamesTheSetting(t *testing.T) {
	profile := func(mode aws.DefaultsMode) func() (awsconfig.SharedConfig, bool) {
		return func() (awsconfig.SharedConfig, bool) {
			return awsconfig.SharedConfig{Profile: "dev", DefaultsMode: mode}, true
		}
	}
	cases := []struct {
		env     string
		profile aws.DefaultsMode
		want    string
	}{
		{"AUTO", aws.DefaultsModeStandard, "AWS_DEFAULTS_MODE=AUTO"},
		{"standard", aws.DefaultsModeAuto, ""},
		{"", aws.DefaultsModeAuto, "defaults_mode = auto of profile dev"},
		{"", aws.DefaultsModeInRegion, ""},
	}
	for _, tc := range cases {
		t.Setenv("AWS_DEFAULTS_MODE", tc.env)
		assert.Equal(t, tc.want, defaultsModeAutoBy(profile(tc.profile)), "AWS_DEFAULTS_MODE=%q, defaults_mode = %s", tc.env, tc.profile)
	}
}
