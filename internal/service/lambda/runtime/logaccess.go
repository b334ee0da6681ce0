package runtime

import "context"

// logSink is where an environment's logs go: the engine's LogSink when the
// function's role lets it write to its stream (Function.LogAccess), else
// nowhere, as on AWS a function whose role lacks the CloudWatch Logs
// permissions writes no logs at all. It is decided once, when the
// environment starts; a failure to decide keeps the logs.
func (eng *Engine) logSink(ctx context.Context, fn *Function, group, stream string) LogSink {
	sink := eng.cfg.Logs
	if sink == nil || fn.LogAccess == nil {
		return sink
	}
	access, err := fn.LogAccess(ctx, group, stream)
	if err != nil {
		eng.cfg.Logger.Warn("lambda: could not check the role's CloudWatch Logs permissions; keeping the logs", "function", fn.Name, "error", err.Error())
		return sink
	}
	if !access.Write || (!access.CreateGroup && !logGroupExists(sink, fn.Account, fn.Region, group)) {
		eng.cfg.Logger.Debug("lambda: the execution role may not write the function's logs; dropping them", "function", fn.Name, "group", group)
		return nil
	}
	return sink
}

// GroupChecker is a LogSink that can tell whether a log group exists
// (kiri's CloudWatch Logs is one).
type GroupChecker interface {
	LogGroupExists(account, region, group string) (bool, error)
}

// logGroupExists reports whether the log group exists. A sink that cannot
// tell (or fails to) is taken to have it, so logs are only dropped for
// certain.
func logGroupExists(sink LogSink, account, region, group string) bool {
	c, ok := sink.(GroupChecker)
	if !ok {
		return true
	}
	found, err := c.LogGroupExists(account, region, group)
	return found || err != nil
}
