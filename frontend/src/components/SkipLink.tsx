import classes from './SkipLink.module.css';

/** The first thing a keyboard user reaches: jumps past the navigation to the page content. */
export function SkipLink({ target = 'main-content' }: { target?: string }) {
  return (
    <a className={classes.skip} href={`#${target}`} onClick={(event) => {
      const main = document.getElementById(target);
      if (main) {
        event.preventDefault();
        main.focus();
        main.scrollIntoView();
      }
    }}
    >
      Skip to main content
    </a>
  );
}
