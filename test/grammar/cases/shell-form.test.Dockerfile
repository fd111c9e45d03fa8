# SYNTAX TEST "source.dockerfile" "shell form of RUN/CMD/ENTRYPOINT embeds source.shell; exec form stays JSON"
FROM golang:1.22 AS build
# <---- keyword.other.special-method.dockerfile
#    ^^^^^^^^^^^^^ - source.shell
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /app . && \
# <--- meta.instruction.shell-form.dockerfile keyword.other.special-method.dockerfile
#   ^^ meta.flag.dockerfile punctuation.definition.flag.dockerfile
#     ^^^^^ meta.flag.dockerfile variable.parameter.flag.dockerfile
#          ^ keyword.operator.assignment.dockerfile
#           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ string.unquoted.flag-value.dockerfile - source.shell
#                                                   ^^ meta.instruction.shell-form.dockerfile meta.embedded.block.shell source.shell entity.name.command.shell
#                                                      ^^^^^ source.shell string.unquoted.argument.shell
#                                                                      ^^ source.shell punctuation.separator.statement.and.shell
#                                                                         ^ source.shell constant.character.escape.line-continuation.shell
    echo "done $HOME" | tee /log
#   ^^^^ meta.instruction.shell-form.dockerfile source.shell support.function.builtin.shell
#        ^^^^^^^^^^^^ source.shell string.quoted.double.shell
#              ^^^^^ variable.other.normal.shell
#                     ^ source.shell keyword.operator.pipe.shell
#                       ^^^ source.shell entity.name.command.shell
WORKDIR /src
# <------- - source.shell meta.instruction.shell-form.dockerfile
RUN ["/bin/sh", "-c", "echo hi"]
# <--- keyword.other.special-method.dockerfile - meta.instruction.shell-form.dockerfile
#    ^^^^^^^^^ string.quoted.double.dockerfile - source.shell
RUN [ "a" ]
#   ^^^^^^^ - source.shell
RUN [ -f /x ] && echo yes
#   ^ meta.instruction.shell-form.dockerfile source.shell punctuation.definition.logical-expression.shell
#             ^^ source.shell punctuation.separator.statement.and.shell
#                ^^^^ source.shell support.function.builtin.shell
CMD exec /app --port 8080
# <--- meta.instruction.shell-form.dockerfile keyword.other.special-method.dockerfile
#   ^^^^ source.shell support.function.builtin.shell
#        ^^^^ source.shell string.unquoted.argument.shell
ENTRYPOINT ["/app", "serve"]
#          ^^^^^^^^^^^^^^^^^ - source.shell
ENTRYPOINT /app serve
#          ^^^^ meta.instruction.shell-form.dockerfile source.shell entity.name.command.shell
HEALTHCHECK --interval=5s CMD wget -q -O- http://127.0.0.1:8080/healthz || exit 1
# <----------- meta.instruction.shell-form.dockerfile keyword.other.special-method.dockerfile
#             ^^^^^^^^ variable.parameter.flag.dockerfile
#                         ^^^ keyword.other.special-method.dockerfile - source.shell
#                             ^^^^ source.shell entity.name.command.shell
#                                                                       ^^ source.shell keyword.operator.pipe.shell
HEALTHCHECK CMD ["/app", "health"]
#               ^^^^^^^^^^^^^^^^^^ - source.shell
run echo lower-case keywords are instructions too
# <--- meta.instruction.shell-form.dockerfile keyword.other.special-method.dockerfile
#   ^^^^ source.shell support.function.builtin.shell
ONBUILD RUN go generate ./...
# <------- meta.instruction.shell-form.dockerfile keyword.control.dockerfile
#       ^^^ keyword.other.special-method.dockerfile
#           ^^ source.shell entity.name.command.shell
RUN --network=none \
    go build ./...
#   ^^ meta.instruction.shell-form.dockerfile source.shell entity.name.command.shell
RUN apk add \
    # Docker drops comment lines inside a continued instruction
#   ^ meta.instruction.shell-form.dockerfile comment.line.number-sign.dockerfile punctuation.definition.comment.dockerfile
#     ^^^^^^ comment.line.number-sign.dockerfile

    curl
#   ^^^^ meta.instruction.shell-form.dockerfile source.shell
EXPOSE 8080
# <------ - meta.instruction.shell-form.dockerfile source.shell
