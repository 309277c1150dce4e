package lesson_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deferio/deferio/internal/lesson"
)

func TestDispatch(t *testing.T) {
	var ran bool
	all := []lesson.Lesson{fake(&ran)}
	ctx := context.Background()

	var buf bytes.Buffer
	require.NoError(t, lesson.Dispatch(ctx, "lab", "list", nil, all, &buf, lesson.Options{}))
	assert.Contains(t, buf.String(), "defer-basics")
	assert.False(t, ran)

	require.NoError(t, lesson.Dispatch(ctx, "lab", "lesson", []string{"defer-basics"}, all, &buf, lesson.Options{}))
	assert.True(t, ran)

	ran = false
	require.NoError(t, lesson.Dispatch(ctx, "lab", "lessons", nil, all, &buf, lesson.Options{}))
	assert.True(t, ran)

	for _, c := range []struct {
		verb string
		args []string
		want string
	}{
		{"list", []string{"x"}, `list takes no arguments, got ["x"]`},
		{"lessons", []string{"x"}, "to run one: lab lesson ID"},
		{"lesson", nil, "lesson takes one lesson ID (see lab list), got 0 arguments"},
		{"lesson", []string{"nope"}, `no lesson "nope" (see lab list)`},
		{"dance", nil, `"dance" is not a lesson verb`},
	} {
		err := lesson.Dispatch(ctx, "lab", c.verb, c.args, all, &buf, lesson.Options{})
		assert.True(t, errors.Is(err, lesson.ErrUsage), "%s %v: %v is not a usage error", c.verb, c.args, err)
		assert.ErrorContains(t, err, c.want)
		assert.NotContains(t, err.Error(), "usage", "the lab adds its own usage prefix")
	}
}
