package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const signalHelperEnv = "SOURCEFLOW_SIGNAL_HELPER"

// The helper process stands for a command that does not return after its
// context ends; only the second signal can end it.
func TestSignalContext_ASecondSignalQuitsAtOnce(t *testing.T) {
	if os.Getenv(signalHelperEnv) == "1" {
		ctx, _ := signalContext()
		fmt.Println("ready")
		<-ctx.Done()
		fmt.Println("cancelled")
		select {}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSignalContext_ASecondSignalQuitsAtOnce$")
	cmd.Env = append(os.Environ(), signalHelperEnv+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(out)

	require.True(t, lines.Scan())
	require.Equal(t, "ready", lines.Text())
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.True(t, lines.Scan())
	require.Equal(t, "cancelled", lines.Text(), "the first signal ends the context")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err = cmd.Wait()

	require.NoError(t, ctx.Err(), "the helper quit on the second signal, not at the test's deadline")
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v", err)
	status, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	assert.Equal(t, syscall.SIGINT, status.Signal())
}
