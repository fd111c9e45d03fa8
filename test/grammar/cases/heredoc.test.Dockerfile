# SYNTAX TEST "source.dockerfile" "RUN <<EOF heredocs are shell scripts; COPY/ADD heredocs are file contents"
FROM alpine:3.20
RUN <<EOF
# <--- meta.instruction.run.heredoc.dockerfile keyword.other.special-method.dockerfile
#   ^^ keyword.operator.heredoc.dockerfile
#     ^^^ string.unquoted.heredoc.delimiter.dockerfile
set -eux
# <--- meta.instruction.run.heredoc.dockerfile meta.embedded.block.shell source.shell support.function.builtin.shell
apk add --no-cache ca-certificates
# <--- source.shell entity.name.command.shell
#       ^^^^^^^^^^ meta.embedded.block.shell source.shell meta.statement.command.shell
RUN not an instruction inside the script
# <--- source.shell - keyword.other.special-method.dockerfile
EOF
# <--- meta.instruction.run.heredoc.dockerfile string.unquoted.heredoc.delimiter.dockerfile - source.shell
RUN --mount=type=cache,target=/var/cache/apk <<-'SCRIPT'
#   ^^^^^^^ meta.flag.dockerfile
#                                            ^^^ keyword.operator.heredoc.dockerfile
#                                               ^ punctuation.definition.string.heredoc.quote.dockerfile
#                                                ^^^^^^ string.unquoted.heredoc.delimiter.dockerfile
#                                                      ^ punctuation.definition.string.heredoc.quote.dockerfile
	apk add git
# <~--- source.shell entity.name.command.shell
	SCRIPT
# <~------ string.unquoted.heredoc.delimiter.dockerfile - source.shell
RUN <<EOF
	EOF
# <~--- source.shell - string.unquoted.heredoc.delimiter.dockerfile
EOF
# <--- string.unquoted.heredoc.delimiter.dockerfile
RUN python3 <<PY > /out.txt
# <--- meta.instruction.shell-form.dockerfile
#           ^^ source.shell keyword.operator.heredoc.shell
print("stdin of python, not shell")
# <----- source.shell string.unquoted.heredoc.no-indent.PY - entity.name.command.shell
PY
COPY <<EOT /etc/app.conf
# <---- meta.instruction.heredoc.dockerfile keyword.other.special-method.dockerfile
#    ^^ keyword.operator.heredoc.dockerfile
#      ^^^ string.unquoted.heredoc.delimiter.dockerfile
RUN file content, not an instruction
# <--- meta.instruction.heredoc.dockerfile string.unquoted.heredoc.dockerfile - keyword.other.special-method.dockerfile meta.instruction.shell-form.dockerfile
EOT
# <--- string.unquoted.heredoc.delimiter.dockerfile - string.unquoted.heredoc.dockerfile
CMD ["/app"]
# <--- keyword.other.special-method.dockerfile - meta.instruction.heredoc.dockerfile meta.instruction.run.heredoc.dockerfile
