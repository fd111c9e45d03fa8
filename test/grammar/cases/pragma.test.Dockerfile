# SYNTAX TEST "source.dockerfile" "# container-tuner ignore= pragmas (and hadolint's) in Dockerfile comments"
# container-tuner ignore-file=go-maxprocs
# <- comment.line.number-sign.pragma.container-tuner punctuation.definition.comment.container-tuner
# ^^^^^^^^^^^^^^^ keyword.other.pragma.container-tuner
#                 ^^^^^^^^^^^ storage.modifier.pragma.container-tuner
#                            ^ punctuation.separator.key-value.container-tuner
#                             ^^^^^^^^^^^ constant.other.rule-id.container-tuner
FROM golang:1.22 AS build
# container-tuner ignore=go-mod-cache-order,apk-no-cache
#                        ^^^^^^^^^^^^^^^^^^ constant.other.rule-id.container-tuner
#                                          ^ punctuation.separator.comma.container-tuner
#                                           ^^^^^^^^^^^^ constant.other.rule-id.container-tuner
COPY . .
  #container-tuner ignore = all
# <-- punctuation.whitespace.comment.leading.dockerfile
# ^ comment.line.number-sign.pragma.container-tuner punctuation.definition.comment.container-tuner
#  ^^^^^^^^^^^^^^^ keyword.other.pragma.container-tuner
#                           ^^^ constant.other.rule-id.container-tuner
RUN go build -o /app .
# hadolint global ignore=DL3006, DL3007
# ^^^^^^^^ keyword.other.pragma.container-tuner
#          ^^^^^^ storage.modifier.pragma.container-tuner
#                 ^^^^^^ storage.modifier.pragma.container-tuner
#                        ^^^^^^ constant.other.rule-id.container-tuner
#                                ^^^^^^ constant.other.rule-id.container-tuner
# hadolint ignore=DL3019
# ^^^^^^^^ keyword.other.pragma.container-tuner
#                 ^^^^^^ constant.other.rule-id.container-tuner
FROM alpine
# an ordinary comment mentioning container-tuner ignore=x
# <- comment.line.number-sign.dockerfile - comment.line.number-sign.pragma.container-tuner
#                                                ^^^^^^ - storage.modifier.pragma.container-tuner
# container-tuner ignore=
# <- comment.line.number-sign.dockerfile - keyword.other.pragma.container-tuner
RUN echo hi # container-tuner ignore=exec-form-cmd
#             ^^^^^^^^^^^^^^^ - keyword.other.pragma.container-tuner
RUN apk add \
    # container-tuner ignore=apk-no-cache
#   ^ comment.line.number-sign.dockerfile - keyword.other.pragma.container-tuner
#     ^^^^^^^^^^^^^^^ - keyword.other.pragma.container-tuner
    curl
