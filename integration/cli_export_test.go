//go:build integration

package integration

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The exported CloudFormation template of the example passes cfn-lint, is
// deployed to the emulator's CloudFormation, and then validate finds no
// drift and the example runs on it with provisioning set to validate.
func TestCLIExport_TheExamplesTemplateDeploysAndTheExampleRunsOnItWithValidate(t *testing.T) {
	bin := buildOrders(t)
	prefix := uniqueName("iac", "-")
	key := "alias/" + prefix + "key"
	dir := t.TempDir()
	example := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		args = append([]string{"-transport", "aws", "-prefix", prefix, "-kms-key", key, "-visibility-timeout", "20s"}, args...)
		out, err := exec.Command(bin, args...).CombinedOutput()
		t.Logf("$ orders %s\n%s", strings.Join(args, " "), out)
		return string(out), err
	}

	_, err := example(t, "-write-topology", dir)
	require.NoError(t, err)
	files := []string{filepath.Join(dir, "orders.topology.yaml"), filepath.Join(dir, "payments.topology.yaml")}
	template, tf := filepath.Join(dir, "stack.yaml"), filepath.Join(dir, "main.tf")
	_, errOut, code := runCLI(t, "export", "cloudformation", "-f", files[0], "-f", files[1], "-o", template)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = runCLI(t, "export", "terraform", "-f", files[0], "-f", files[1], "-o", tf)
	require.Equal(t, 0, code, errOut)
	text, err := os.ReadFile(tf)
	require.NoError(t, err)
	_, diags := hclsyntax.ParseConfig(text, tf, hcl.InitialPos)
	require.False(t, diags.HasErrors(), "%s", diags.Error())

	cfnLint(t, template)

	// Before the stack exists, validate mode refuses to start, naming what is missing.
	out, err := example(t, "-provisioning", "validate", "-n", "1", "-timeout", "1m")
	require.Error(t, err)
	assert.Contains(t, out, prefix+"payments.fifo")

	deployStack(t, strings.TrimSuffix(prefix, "-")+"-stack", template)
	for _, f := range files {
		out, errOut, code := runCLI(t, "validate", "-f", f)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "No drift")
	}
	out, err = example(t, "-provisioning", "validate", "-n", "20", "-timeout", "2m")
	require.NoError(t, err)
	assert.Contains(t, out, "orders completed:   20")
}

// cfnLint runs cfn-lint, which scripts/test-env.sh installs, on template,
// after checking on a broken copy that it does report errors.
func cfnLint(t *testing.T, template string) {
	t.Helper()
	lint := os.Getenv("SOURCEFLOW_CFN_LINT")
	require.NotEmpty(t, lint, "SOURCEFLOW_CFN_LINT is unset: scripts/test-env.sh start installs cfn-lint and exports it")
	text, err := os.ReadFile(template)
	require.NoError(t, err)
	broken := filepath.Join(t.TempDir(), "broken.yaml")
	require.NoError(t, os.WriteFile(broken, []byte(strings.Replace(string(text), "VisibilityTimeout: 20", "VisibilityTimeout: soon", 1)), 0o600))
	out, err := exec.Command(lint, broken).CombinedOutput()
	require.Error(t, err, "cfn-lint must fail on a template with a bad property:\n%s", out)
	assert.Contains(t, string(out), "E3012 'soon' is not of type 'integer'")

	out, err = exec.Command(lint, template).CombinedOutput()
	require.NoError(t, err, "cfn-lint %s:\n%s", template, out)
}

// deployStack creates the stack from template on the emulator and waits
// until it is complete, reporting the failed resources otherwise. The
// stack is deleted at the end of the test (its queues and key are
// retained, as the template says).
func deployStack(t *testing.T, name, template string) {
	t.Helper()
	body, err := os.ReadFile(template)
	require.NoError(t, err)
	cf := cloudformation.NewFromConfig(awsConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(body))})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = cf.DeleteStack(context.Background(), &cloudformation.DeleteStackInput{StackName: aws.String(name)})
	})
	waiter := cloudformation.NewStackCreateCompleteWaiter(cf, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Second, 5*time.Second
	})
	err = waiter.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 4*time.Minute)
	if err != nil {
		events, evErr := cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
		var failed []string
		if evErr == nil {
			for _, e := range events.StackEvents {
				if e.ResourceStatus == cfntypes.ResourceStatusCreateFailed {
					failed = append(failed, aws.ToString(e.LogicalResourceId)+": "+aws.ToString(e.ResourceStatusReason))
				}
			}
		}
		require.NoError(t, errors.Join(err, evErr), "stack %s failed: %s", name, strings.Join(failed, "; "))
	}
}
