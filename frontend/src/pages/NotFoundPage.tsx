import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';

import { Page } from '../components/Page';

export default function NotFoundPage() {
  return (
    <Page title="Page not found">
      <Text>
        There is nothing at this address. Go to the <Anchor component={Link} to="/">dashboard</Anchor>.
      </Text>
    </Page>
  );
}
