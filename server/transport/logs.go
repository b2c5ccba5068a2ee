package transport

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"google.golang.org/grpc/grpclog"
)

// GRPCLogger is a grpclog.LoggerV2 writing to log, so gRPC's own messages
// are JSON lines like every other (install it once, before any gRPC use,
// with grpclog.SetLoggerV2). gRPC's info messages (connection churn) go to
// debug; its warnings and errors keep their levels.
func GRPCLogger(log *slog.Logger) grpclog.LoggerV2 {
	return slogGRPC{log: log.With("component", "grpc")}
}

type slogGRPC struct{ log *slog.Logger }

func (l slogGRPC) emit(level slog.Level, msg string) {
	l.log.Log(context.Background(), level, msg)
}

func (l slogGRPC) Info(args ...any)   { l.emit(slog.LevelDebug, fmt.Sprint(args...)) }
func (l slogGRPC) Infoln(args ...any) { l.emit(slog.LevelDebug, fmt.Sprint(args...)) }
func (l slogGRPC) Infof(format string, args ...any) {
	l.emit(slog.LevelDebug, fmt.Sprintf(format, args...))
}
func (l slogGRPC) Warning(args ...any)   { l.emit(slog.LevelWarn, fmt.Sprint(args...)) }
func (l slogGRPC) Warningln(args ...any) { l.emit(slog.LevelWarn, fmt.Sprint(args...)) }
func (l slogGRPC) Warningf(format string, args ...any) {
	l.emit(slog.LevelWarn, fmt.Sprintf(format, args...))
}
func (l slogGRPC) Error(args ...any)   { l.emit(slog.LevelError, fmt.Sprint(args...)) }
func (l slogGRPC) Errorln(args ...any) { l.emit(slog.LevelError, fmt.Sprint(args...)) }
func (l slogGRPC) Errorf(format string, args ...any) {
	l.emit(slog.LevelError, fmt.Sprintf(format, args...))
}
func (l slogGRPC) Fatal(args ...any)   { l.emit(slog.LevelError, fmt.Sprint(args...)); os.Exit(1) }
func (l slogGRPC) Fatalln(args ...any) { l.emit(slog.LevelError, fmt.Sprint(args...)); os.Exit(1) }
func (l slogGRPC) Fatalf(format string, args ...any) {
	l.emit(slog.LevelError, fmt.Sprintf(format, args...))
	os.Exit(1)
}

// V reports whether verbosity level v is on: only gRPC's default (0).
func (l slogGRPC) V(v int) bool { return v <= 0 }
