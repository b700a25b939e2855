{{/* Selector labels: stable for the life of a release. */}}
{{- define "openim-etcd.selectorLabels" -}}
app.kubernetes.io/name: etcd
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object's labels (app.kubernetes.io/* recommended set). */}}
{{- define "openim-etcd.labels" -}}
{{ include "openim-etcd.selectorLabels" . }}
app.kubernetes.io/component: discovery
app.kubernetes.io/part-of: openim
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "openim-etcd.imageRef" -}}
{{- if .digest -}}
{{ .repository }}@{{ .digest }}
{{- else -}}
{{ .repository }}:{{ .tag }}
{{- end -}}
{{- end -}}

{{- define "openim-etcd.headless" -}}
{{ .Release.Name }}-headless
{{- end -}}

{{/* host name of member i: <release>-<i>.<headless>.<ns>.svc */}}
{{- define "openim-etcd.memberHost" -}}
{{ .root.Release.Name }}-{{ .i }}.{{ include "openim-etcd.headless" .root }}.{{ .root.Release.Namespace }}.svc
{{- end -}}

{{/* --initial-cluster: every member's name=peer URL. */}}
{{- define "openim-etcd.initialCluster" -}}
{{- $root := . -}}
{{- $members := list -}}
{{- range $i := until (int .Values.members) -}}
{{- $members = append $members (printf "%s-%d=http://%s:%d" $root.Release.Name $i (include "openim-etcd.memberHost" (dict "root" $root "i" $i)) (int $root.Values.peerPort)) -}}
{{- end -}}
{{- join "," $members -}}
{{- end -}}

{{- define "openim-etcd.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "openim-etcd.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "openim-etcd.check" -}}
{{- if or (lt (int .Values.members) 1) (eq (mod (int .Values.members) 2) 0) -}}
{{- fail (printf "members must be odd (1, 3, 5) for an etcd quorum, got %d" (int .Values.members)) -}}
{{- end -}}
{{- end -}}
