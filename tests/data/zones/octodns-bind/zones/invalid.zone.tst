$ORIGIN invalid.zone.
@           3600 IN	SOA	ns1.invalid.zone. root.invalid.zone. (
                        2018071501		; Serial
                        3600    ; Refresh (1 hour)
                        600     ; Retry (10 minutes)
                        604800  ; Expire (1 week)
                        3600    ; NXDOMAIN ttl (1 hour)
                    )
