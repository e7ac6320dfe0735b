# Sourced inside the chroots of dnf_local_repo.sh and dnf5_local_repo.sh: tiny empty rpms for local repositories.
#
#   pkg REPO NAME EPOCH VERSION RELEASE ARCH GROUP SUMMARY [EXTRA-PREAMBLE]
# builds NAME-VERSION-RELEASE.ARCH.rpm (EPOCH and GROUP may be empty) into /srv/repo/REPO, or /srv/local when
# REPO is "local" (an rpm installed from a file, in no repository). Needs TOP (the rpmbuild tree, with SPECS)
# and RECIPE (the recipe's file name, for the description).

pkg() {
    repo=$1 name=$2 epoch=$3 version=$4 release=$5 arch=$6 group=$7 summary=$8 extra=${9:-}
    spec="$TOP/SPECS/$name-$version-$release.$arch.spec"
    {
        echo '%global debug_package %{nil}'
        echo '%global _build_id_links none'
        echo "Name: $name"
        [ -n "$epoch" ] && echo "Epoch: $epoch"
        echo "Version: $version"
        echo "Release: $release"
        echo "Summary: $summary"
        echo "License: MIT"
        [ -n "$group" ] && echo "Group: $group"
        [ "$arch" = noarch ] && echo "BuildArch: noarch"
        [ -n "$extra" ] && printf '%s\n' "$extra"
        echo '%description'
        echo "Empty test package built by tests/agent/recording/$RECIPE."
        echo '%files'
    } > "$spec"
    target=$arch; [ "$arch" = noarch ] && target=x86_64
    rpmbuild --quiet -bb --nodeps --target "$target" --define "_topdir $TOP" --define "_buildhost build.example.com" "$spec" >/dev/null
    dest=/srv/repo/$repo; [ "$repo" = local ] && dest=/srv/local
    mv "$TOP/RPMS/$arch/$name-$version-$release.$arch.rpm" "$dest/"
}
